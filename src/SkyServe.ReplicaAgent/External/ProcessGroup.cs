using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace SkyServe.ReplicaAgent.External;

/// <summary>
/// A shell command (<c>bash -c</c>) in a session and process group of its own (<c>setsid</c>), so that the engine
/// and everything it starts can be signalled as one, and neither the agent's terminal nor its group takes part.
/// Its stdout and stderr arrive line by line; its stdin is /dev/null. A watchdog in the group holds a pipe from
/// the agent: should the agent die without stopping the group (kill -9, a crash), the pipe closes and the
/// watchdog sends the whole group SIGTERM, so the engine does not outlive its agent.
/// </summary>
internal sealed partial class ProcessGroup : IDisposable
{
    private const int SigKill = 9;
    private const int SigTerm = 15;

    /// <summary>
    /// Run as <c>bash -c WRAPPER skyserve-engine COMMAND</c>: the agent's pipe moves to fd 3 of a background
    /// watchdog, the command gets /dev/null as stdin and replaces the wrapper (so the group's leader is the command).
    /// The watchdog's subshell holds none of the output pipes, so that they reach their end when the command's
    /// processes are gone: a last line without a newline is delivered only then.
    /// </summary>
    private const string Wrapper = """
        exec 3<&0 </dev/null
        (cat <&3; kill -TERM 0) >/dev/null 2>&1 &
        exec 3<&-
        exec bash -c "$1"
        """;

    private readonly Process process;
    private readonly TaskCompletionSource<int> exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int disposed;

    private ProcessGroup(Process process) => this.process = process;

    /// <summary>The leader's pid, which is also the group's id: setsid makes the shell a session leader without forking.</summary>
    public int Id { get; private set; }

    public DateTimeOffset StartedAt { get; private set; }

    private TimeProvider time = TimeProvider.System;

    /// <summary>The leader's exit code (128 + N when a signal N ended it).</summary>
    public Task<int> Exited => exited.Task;

    public static ProcessGroup Start(string command, string workDirectory, IReadOnlyDictionary<string, string> environment, Action<string> onLine,
        TimeProvider time)
    {
        var info = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false, WorkingDirectory = workDirectory,
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        info.ArgumentList.Add("bash");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Wrapper);
        info.ArgumentList.Add("skyserve-engine");
        info.ArgumentList.Add(command);
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var group = new ProcessGroup(process);
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onLine(e.Data); };
        process.Exited += (_, _) => _ = group.CompleteAfterOutputAsync();
        process.Start();
        group.Id = process.Id;
        group.time = time;
        group.StartedAt = time.GetUtcNow();
        // stdin stays open: it is the watchdog's pipe, closed by Dispose or by the agent's death.
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return group;
    }

    /// <summary>
    /// The Exited event can come before the last lines of output were delivered: the exit counts once the output is read
    /// to its end, so that whoever waits on <see cref="Exited"/> finds every line logged. A process left behind that
    /// holds the pipes open (a daemon started by setup) must not hold the exit back: after a short wait it counts anyway.
    /// </summary>
    private async Task CompleteAfterOutputAsync()
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(OutputDrainLimit);
        }
        catch (TimeoutException)
        {
        }
        exited.TrySetResult(process.ExitCode);
    }

    private static readonly TimeSpan OutputDrainLimit = TimeSpan.FromSeconds(2);

    /// <summary>True while the leader runs or any process of its group is left (zombies aside).</summary>
    public bool IsAlive => !exited.Task.IsCompleted || HasMembers(Id);

    /// <summary>
    /// SIGTERM to the whole group, SIGKILL to whatever is left after <paramref name="grace"/>; returns whether it
    /// had to kill. Returns once no process of the group is left (or a few seconds after the SIGKILL).
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (!IsAlive)
            return false;
        Signal(SigTerm);
        if (await WaitUntilGoneAsync(grace))
            return false;
        Signal(SigKill);
        await WaitUntilGoneAsync(TimeSpan.FromSeconds(5));
        return true;
    }

    /// <summary>SIGKILL to processes of the group left behind after the leader exited (the engine's stray children).</summary>
    public async Task KillLeftoversAsync()
    {
        if (!HasMembers(Id))
            return;
        Signal(SigKill);
        await WaitUntilGoneAsync(TimeSpan.FromSeconds(5));
    }

    private async Task<bool> WaitUntilGoneAsync(TimeSpan timeout)
    {
        var started = time.GetTimestamp();
        while (IsAlive)
        {
            if (time.GetElapsedTime(started) >= timeout)
                return false;
            await Task.Delay(TimeSpan.FromMilliseconds(50), time);
        }
        return true;
    }

    private void Signal(int signal)
    {
        // The group (it exists once setsid ran) and the leader itself (in case the signal came before that).
        _ = Kill(-Id, signal);
        if (!exited.Task.IsCompleted)
            _ = Kill(Id, signal);
    }

    /// <summary>Whether any live process (not a zombie) has this process group id, from /proc.</summary>
    internal static bool HasMembers(int groupId)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var name = Path.GetFileName(dir);
            if (name.Length == 0 || !char.IsAsciiDigit(name[0]))
                continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // it ended while we looked
            }
            // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so parse after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ', 4);
            if (fields.Length >= 3 && fields[0] is not ("Z" or "X")
                && int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var pgrp) && pgrp == groupId)
                return true;
        }
        return false;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
            return;
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
        }
        process.Dispose();
    }
}
