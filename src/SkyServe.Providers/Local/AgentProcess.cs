using SkyServe.Contracts.Agent;
using System.Diagnostics;
using SkyServe.Core.Security;

namespace SkyServe.Providers.Local;

/// <summary>
/// Starts and stops ReplicaAgent processes. Each runs in its own session (setsid) with its output in a
/// log file, so that neither Ctrl+C on the controller nor the controller's exit takes it down:
/// machines outlive the control plane, as cloud machines do.
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

    /// <summary>Our process, if it is still alive (a pid reused by another process does not count).</summary>
    public static Process? Find(int pid, DateTime startedAt)
    {
        try
        {
            var process = Process.GetProcessById(pid);
            if (!process.HasExited && Math.Abs((process.StartTime.ToUniversalTime() - startedAt).TotalSeconds) < 2)
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
        using var process = Find(pid, startedAt);
        if (process is null)
            return;
        Signal(pid, "TERM");
        using var cts = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill(pid, startedAt);
        }
    }

    /// <summary>What a spot reclaim does at the deadline: the machine is simply gone.</summary>
    public static void Kill(int pid, DateTime startedAt)
    {
        using var process = Find(pid, startedAt);
        if (process is null)
            return;
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, pid.ToString()]) { UseShellExecute = false });
        kill?.WaitForExit(5000);
    }
}
