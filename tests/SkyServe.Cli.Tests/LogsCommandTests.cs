using System.Diagnostics;
using System.Text.RegularExpressions;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>
/// `skyserve logs` on a service whose replicas run an external engine (`run:`): the engine's output, read by the
/// controller from the replica's agent, printed by the CLI; followed as new lines come; errors from the server.
/// </summary>
public sealed partial class LogsCommandTests : IDisposable
{
    private readonly TempDirectory home = new();

    public void Dispose() => home.Dispose();

    [Fact]
    public async Task Logs_show_the_engines_output_through_the_controller_and_follow_new_lines()
    {
        var cli = new SkyServeCli(home.Path);
        var marker = $"fake-engine-{Guid.NewGuid():N}";
        var spec = Path.Combine(home.Path, "ext.yaml");
        await File.WriteAllTextAsync(spec, $"""
            name: ext
            service:
              readiness_probe: /health
              replicas: 1
              ports: 8080
            resources:
              cloud: aws
              cpus: 8
            envs:
              GREETING: hello from the spec
            setup: echo "setup says $GREETING"
            run: exec python3 {Path.Combine(RepoPaths.Root, "tests", "fixtures", "fake-engine", "engine.py")} {marker}
            """);
        await using var controller = await LocalController.StartAsync(cli, Path.Combine(home.Path, "data"));
        var up = await cli.RunAsync("up", spec);
        Assert.True(up.ExitCode == 0, up.Output);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        ProcessRunner.Result status;
        while (!Regex.IsMatch((status = await cli.RunAsync("status", "ext")).Stdout, @"\n1\s+1\s+READY"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no READY replica within 90 s:\n{status.Output}\n{controller.Output}");
            await Task.Delay(500);
        }

        var logs = await cli.RunAsync("logs", "ext", "--tail", "50");
        Assert.True(logs.ExitCode == 0, logs.Output);
        Assert.Contains("setup says hello from the spec", logs.Stdout);
        Assert.Contains("engine: listening on port", logs.Stdout);
        Assert.True(logs.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length <= 50);

        // Follow, then make the engine print through the load balancer: the line reaches the CLI.
        using var follow = StartFollowing(cli, out var lines);
        try
        {
            await WaitForLineAsync(lines, line => line.Length > 0, "the tail");
            var lb = LoadBalancerUrl().Match(controller.Output).Groups[1].Value;
            using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false });
            using var said = await http.GetAsync($"{lb}ext/say?text=via-the-load-balancer");
            Assert.True(said.IsSuccessStatusCode, $"{said.StatusCode} from {lb}ext/say");
            await WaitForLineAsync(lines, line => line == "stderr: via-the-load-balancer", "the new line");
        }
        finally
        {
            follow.Kill(entireProcessTree: true);
            await follow.WaitForExitAsync();
        }

        var missing = await cli.RunAsync("logs", "ext", "--replica", "99");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("Replica not found (404 Not Found): service 'ext' has no replica 99", missing.Stderr);
        var unknown = await cli.RunAsync("logs", "nope");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("does not exist", unknown.Stderr);
        Assert.True((await cli.RunAsync("down", "ext")).ExitCode == 0);
    }

    private static Process StartFollowing(SkyServeCli cli, out List<string> lines)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { SkyServeCli.Dll, "logs", "ext", "--follow", "--tail", "5" })
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in cli.Environment())
            info.Environment[key] = value;
        var process = Process.Start(info)!;
        var seen = new List<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (seen) seen.Add(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (seen) seen.Add("[stderr] " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        lines = seen;
        return process;
    }

    private static async Task WaitForLineAsync(List<string> lines, Func<string, bool> match, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            lock (lines)
            {
                if (lines.Any(match))
                    return;
                Assert.True(DateTime.UtcNow < deadline, $"`skyserve logs --follow` did not print {what}:\n{string.Join('\n', lines)}");
            }
            await Task.Delay(100);
        }
    }

    [GeneratedRegex(@"load balancer: \S+ or (http://\S+)NAME/")]
    private static partial Regex LoadBalancerUrl();
}
