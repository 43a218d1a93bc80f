using System.Diagnostics;
using System.Text.RegularExpressions;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>`skyserve local start` running as a child process, as a user starts it.</summary>
public sealed partial class LocalController : IAsyncDisposable
{
    private readonly Process process;
    private readonly List<string> output = [];

    private readonly SkyServeCli cli;
    private readonly string dataDir;

    private LocalController(Process process, SkyServeCli cli, string dataDir)
    {
        this.process = process;
        this.cli = cli;
        this.dataDir = dataDir;
    }

    public string Url { get; private set; } = "";
    public string Output { get { lock (output) return string.Join('\n', output); } }

    /// <param name="example">Let it deploy the example service on a fresh start, as a user's first run does; off by default.</param>
    /// <param name="extraArgs">More flags of `skyserve local start` (--token-file FILE, say).</param>
    /// <param name="writeCliConfig">Point the CLI (its SKYSERVE_HOME) at this controller, as a user's default data directory would.</param>
    public static async Task<LocalController> StartAsync(SkyServeCli cli, string dataDir, string? postgres = null, bool example = false,
        IReadOnlyList<string>? extraArgs = null, bool writeCliConfig = true)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = RepoPaths.Root,
        };
        foreach (var arg in new[] { SkyServeCli.Dll, "local", "start", "--port", "0", "--lb-port", "0", "--data-dir", dataDir })
            info.ArgumentList.Add(arg);
        if (!example)
            info.ArgumentList.Add("--no-example");
        if (writeCliConfig)
            info.ArgumentList.Add("--write-cli-config"); // the tests' data directories are not the default one
        if (postgres is not null)
        {
            info.ArgumentList.Add("--postgres");
            info.ArgumentList.Add(postgres);
        }
        foreach (var arg in extraArgs ?? [])
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in cli.Environment())
            info.Environment[key] = value;
        var controller = new LocalController(Process.Start(info)!, cli, dataDir);
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        controller.process.OutputDataReceived += (_, e) => controller.OnLine(e.Data, listening);
        controller.process.ErrorDataReceived += (_, e) => controller.OnLine(e.Data, listening);
        controller.process.BeginOutputReadLine();
        controller.process.BeginErrorReadLine();
        var exited = controller.process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != listening.Task)
        {
            await controller.DisposeAsync();
            throw new InvalidOperationException($"`skyserve local start` did not start:\n{controller.Output}");
        }
        controller.Url = await listening.Task;
        return controller;
    }

    /// <summary>Waits until a line containing <paramref name="text"/> has been printed.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            lock (output)
                if (output.FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal)) is { } found)
                    return found;
            await Task.Delay(200);
        }
        throw new TimeoutException($"`skyserve local start` printed no line with '{text}':\n{Output}");
    }

    private void OnLine(string? line, TaskCompletionSource<string> listening)
    {
        if (line is null)
            return;
        lock (output)
            output.Add(line);
        if (ListeningLine().Match(line) is { Success: true } m)
            Url = m.Groups[1].Value;
        if (line.StartsWith("Press Ctrl+C to stop", StringComparison.Ordinal)) // the last start-up line: all of them are in
            listening.TrySetResult(Url);
    }

    [GeneratedRegex(@"listening on (http://\S+)")]
    private static partial Regex ListeningLine();

    /// <summary>Stops it as Ctrl+C or a service manager would (SIGTERM), and waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (process.HasExited)
            return;
        await ProcessRunner.RunAsync("kill", ["-TERM", process.Id.ToString()]);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Stops the controller, then its machines, as a user would with `skyserve local down`.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        process.Dispose();
        var down = await cli.RunAsync("local", "down", "--data-dir", dataDir);
        if (down.ExitCode != 0)
            throw new InvalidOperationException($"`skyserve local down` failed:\n{down.Output}");
    }
}
