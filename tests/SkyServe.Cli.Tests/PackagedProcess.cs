using System.Diagnostics;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>A packaged program started as it would be on a server (its own executable, no dotnet), stopped with SIGTERM.</summary>
public sealed class PackagedProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly List<string> output = [];
    private readonly TaskCompletionSource<string> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PackagedProcess(Process process) => this.process = process;

    public string Output { get { lock (output) return string.Join('\n', output); } }

    /// <param name="listeningPrefix">The start-up line that gives its address ("ReplicaAgent listening on ").</param>
    public static PackagedProcess Start(string executable, IEnumerable<string> args, IReadOnlyDictionary<string, string> env, string listeningPrefix)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(executable)!,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in env)
            info.Environment[key] = value;
        var started = new PackagedProcess(Process.Start(info)!);
        DataReceivedEventHandler onLine = (_, e) =>
        {
            if (e.Data is not { } line)
                return;
            lock (started.output)
                started.output.Add(line);
            var at = line.IndexOf(listeningPrefix, StringComparison.Ordinal);
            if (at >= 0)
                started.listening.TrySetResult(line[(at + listeningPrefix.Length)..].Split(',')[0].Trim());
        };
        started.process.OutputDataReceived += onLine;
        started.process.ErrorDataReceived += onLine;
        started.process.BeginOutputReadLine();
        started.process.BeginErrorReadLine();
        return started;
    }

    /// <summary>The address it printed once it listens; fails with what it printed if it exits or takes too long.</summary>
    public async Task<string> UrlAsync()
    {
        var first = await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(first == listening.Task, $"{process.StartInfo.FileName} did not start listening:\n{Output}");
        return await listening.Task;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
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
        process.Dispose();
    }
}
