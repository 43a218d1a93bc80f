using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace SkyServe.Bench.Scale;

/// <summary>
/// A program the benchmark starts (the controller, the load balancer): `dotnet DLL ARGS` with its output going straight to
/// a log file (no pipe back to this process, so a busy child never waits on us), its pid recorded in the work folder's
/// children.pids so that bench/scale.sh can stop it even when this process dies. Stopped with SIGTERM, then SIGKILL.
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    private readonly Process process;

    private ChildProcess(string name, Process process, string logFile)
    {
        Name = name;
        this.process = process;
        LogFile = logFile;
    }

    public string Name { get; }

    public int Pid => process.Id;

    public string LogFile { get; }

    public bool HasExited => process.HasExited;

    /// <summary>Starts `dotnet <paramref name="dll"/> <paramref name="args"/>` and waits for its "listening on URL" line.</summary>
    public static async Task<(ChildProcess Process, Uri Url)> StartAsync(string name, string workDirectory, string dll, IEnumerable<string> args,
        IReadOnlyDictionary<string, string> environment, TimeSpan timeout, CancellationToken ct)
    {
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} not found: build it first (bench/scale.sh builds it in Release)");
        var logFile = Path.Combine(workDirectory, $"{name}.log");
        // sh redirects, then execs dotnet in its place: the pid we get is the program's own.
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workDirectory };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("log=$1; shift; exec \"$@\" >>\"$log\" 2>&1 </dev/null");
        info.ArgumentList.Add("sh");
        info.ArgumentList.Add(logFile);
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment)
            info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {name}");
        await File.AppendAllTextAsync(Path.Combine(workDirectory, "children.pids"), $"{process.Id} {name} {Path.GetFileName(dll)}\n", CancellationToken.None);
        var child = new ChildProcess(name, process, logFile);
        try
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (File.Exists(logFile) && Listening().Match(await File.ReadAllTextAsync(logFile, ct)) is { Success: true } m)
                    return (child, new Uri(m.Groups[1].Value));
                if (process.HasExited)
                    throw new InvalidOperationException($"{name} exited ({process.ExitCode}) during start-up:\n{child.Tail(30)}");
                if (clock.Elapsed > timeout)
                    throw new InvalidOperationException($"{name} printed no 'listening on' line within {timeout.TotalSeconds:0} s:\n{child.Tail(30)}");
                await Task.Delay(100, ct);
            }
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    /// <summary>The last lines of its log.</summary>
    public string Tail(int lines)
    {
        try
        {
            return string.Join('\n', File.ReadLines(LogFile).TakeLast(lines));
        }
        catch (IOException)
        {
            return "";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            _ = Kill(process.Id, 15); // SIGTERM: a graceful stop
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"scale: {Name} (pid {process.Id}) did not stop within 15 s of SIGTERM: killing it");
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
            }
        }
        process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    [GeneratedRegex(@"listening on (http://[^\s,]+)")]
    private static partial Regex Listening();
}
