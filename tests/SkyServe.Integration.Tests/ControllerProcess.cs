using System.Diagnostics;
using System.Text.RegularExpressions;
using SkyServe.Testing;

namespace SkyServe.Integration.Tests;

/// <summary>The controller as its own process (`dotnet SkyServe.Controller.dll`), configured through environment variables, so a test can kill -9 it.</summary>
public sealed partial class ControllerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly List<string> output = [];

    private ControllerProcess(Process process) => this.process = process;

    public string Output { get { lock (output) return string.Join('\n', output); } }

    /// <summary>Lines it has printed so far (stdout and stderr).</summary>
    public int LineCount { get { lock (output) return output.Count; } }

    /// <summary>Lines printed from line <paramref name="from"/> on.</summary>
    public string OutputSince(int from) { lock (output) return string.Join('\n', output.Skip(from)); }

    public bool HasExited => process.HasExited;

    public int Pid => process.Id;

    /// <param name="settings">Configuration keys below "SkyServe" ("Reconcile:Interval"), given as SkyServe__... variables.</param>
    /// <param name="environment">Other environment variables of the process (cloud credentials).</param>
    public static async Task<ControllerProcess> StartAsync(IReadOnlyDictionary<string, string> settings,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var controller = new ControllerProcess(Process.Start(StartInfo(settings, environment))!);
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
                return;
            lock (controller.output)
                controller.output.Add(line);
            if (Listening().IsMatch(line))
                listening.TrySetResult();
        }
        controller.process.OutputDataReceived += (_, e) => OnLine(e.Data);
        controller.process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        controller.process.BeginOutputReadLine();
        controller.process.BeginErrorReadLine();
        if (await Task.WhenAny(listening.Task, controller.process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60))) != listening.Task)
        {
            controller.Kill();
            throw new InvalidOperationException($"the controller did not start:\n{controller.Output}");
        }
        return controller;
    }

    /// <summary>
    /// Starts a controller that is expected not to start (a bad setting): its exit code and what it printed (stdout and
    /// stderr, in order); fails the test if it is still running after <paramref name="timeout"/> (60 s by default).
    /// </summary>
    public static async Task<(int ExitCode, string Output)> FailedStartAsync(IReadOnlyDictionary<string, string> settings,
        IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        await using var controller = new ControllerProcess(Process.Start(StartInfo(settings, environment))!);
        void OnLine(string? line)
        {
            if (line is not null)
                lock (controller.output)
                    controller.output.Add(line);
        }
        controller.process.OutputDataReceived += (_, e) => OnLine(e.Data);
        controller.process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        controller.process.BeginOutputReadLine();
        controller.process.BeginErrorReadLine();
        if (!await controller.ExitedWithinAsync(timeout ?? TimeSpan.FromSeconds(60)))
            throw new InvalidOperationException($"the controller did not exit:\n{controller.Output}");
        controller.process.WaitForExit(); // the redirected streams are read to their end
        return (controller.process.ExitCode, controller.Output);
    }

    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> settings, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SkyServe.Controller.dll"));
        foreach (var (key, value) in settings)
            info.Environment["SkyServe__" + key.Replace(":", "__")] = value;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        return info;
    }

    [GeneratedRegex("listening on http://")]
    private static partial Regex Listening();

    /// <summary>As `systemctl stop` or `docker stop` would: SIGTERM, after which the controller shuts down by itself.</summary>
    public Task TerminateAsync() => ProcessRunner.RunCheckedAsync("kill", "-TERM", process.Id.ToString());

    /// <summary>True when the process ended within <paramref name="timeout"/>.</summary>
    public async Task<bool> ExitedWithinAsync(TimeSpan timeout)
    {
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>As a crash or an OOM kill would: no shutdown code runs.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        process.Dispose();
        return ValueTask.CompletedTask;
    }
}
