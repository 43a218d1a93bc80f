using SkyServe.Contracts.Agent;
using System.Diagnostics;
using SkyServe.Core.Security;

namespace SkyServe.Providers.Local;

/// <summary>
/// Starts and stops ReplicaAgent processes. Each runs in its own session (setsid) with its output in a
/// log file, so that neither Ctrl+C on the controller nor the controller's exit (or death) takes it down:
/// machines outlive the control plane, as cloud machines do. Any process sharing the runtime may stop one
/// another started: an agent is found by pid and start time, not as a child.
/// </summary>
public static class AgentProcess
{
    /// <param name="command">The agent's command line (<see cref="AgentArguments"/>).</param>
    public static (int Pid, DateTime StartedAt) Start(IReadOnlyList<string> command, LocalMachine machine, string logFile)
    {
        OwnerOnly.CreateDirectory(Path.GetDirectoryName(logFile)!);
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true };
        // $0 is the log file; the rest is the command. exec keeps one pid from sh to setsid to dotnet. umask 077: the
        // log, the work folder and whatever the engine writes stay private whoever started the controller.
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("umask 077; log=\"$0\"; exec setsid \"$@\" >>\"$log\" 2>&1 </dev/null");
        info.ArgumentList.Add(logFile);
        foreach (var arg in command)
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in AgentServingArguments.Environment(machine.Agent))
            info.Environment[key] = value;
        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the agent process");
        return (process.Id, process.StartTime.ToUniversalTime());
    }

    /// <summary>The agent speaks its simulated cloud's metadata format; a cloud the agent does not know gets AWS's.</summary>
    public static string MetadataFormat(string cloud) => cloud switch
    {
        "gcp" => MetadataFormats.Gcp,
        "azure" => MetadataFormats.Azure,
        _ => MetadataFormats.Aws,
    };

    private static readonly TimeSpan ExitPoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    /// <summary>Our process, if it is still alive (a pid reused by another process does not count, nor a zombie).</summary>
    public static Process? Find(int pid, DateTime startedAt)
    {
        try
        {
            var process = Process.GetProcessById(pid);
            if (!process.HasExited && !IsZombie(pid) && Math.Abs((process.StartTime.ToUniversalTime() - startedAt).TotalSeconds) < 2)
                return process;
            process.Dispose();
        }
        catch (ArgumentException)
        {
        }
        catch (InvalidOperationException)
        {
        }
        return null;
    }

    /// <summary>SIGTERM so the agent drains, then SIGKILL after the grace period.</summary>
    public static async Task StopAsync(int pid, DateTime startedAt, TimeSpan grace)
    {
        if (!IsAlive(pid, startedAt))
            return;
        Signal(pid, "TERM");
        // Polled: the agent may be another process's child (or an orphan), whose exit this process is not told of.
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < grace)
        {
            await Task.Delay(ExitPoll);
            if (!IsAlive(pid, startedAt))
                return;
        }
        Kill(pid, startedAt);
    }

    /// <summary>What a spot reclaim does at the deadline: the machine is simply gone.</summary>
    public static void Kill(int pid, DateTime startedAt)
    {
        using (var process = Find(pid, startedAt))
        {
            if (process is null)
                return;
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                return;
            }
        }
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < KillWait && IsAlive(pid, startedAt))
            Thread.Sleep(ExitPoll);
    }

    private static bool IsAlive(int pid, DateTime startedAt)
    {
        using var process = Find(pid, startedAt);
        return process is not null;
    }

    /// <summary>
    /// An agent whose launcher died is reparented to init, and where that does not reap (PID 1 of some containers) it
    /// stays a zombie once it exits: ended, though its pid still answers.
    /// </summary>
    private static bool IsZombie(int pid)
    {
        if (!OperatingSystem.IsLinux())
            return false;
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat.LastIndexOf(')') + 2; // "pid (comm) S ...": the name may hold spaces and parentheses
            return afterName > 1 && afterName < stat.Length && stat[afterName] is 'Z' or 'X';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // gone (HasExited says so) or not ours to read
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString()]) { UseShellExecute = false });
        kill?.WaitForExit(5000);
    }
}
