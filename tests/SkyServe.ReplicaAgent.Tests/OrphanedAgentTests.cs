using System.Diagnostics;
using System.Net;
using SkyServe.ReplicaAgent.Interruption;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// The real agent when its metadata endpoint stops answering: it backs off instead of polling at its interval, and
/// with --orphan-exit-after-ms it takes the endpoint's long silence for its runtime being gone and exits, engine
/// included (as an agent of the local runtime whose controller died would).
/// </summary>
public sealed class OrphanedAgentTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory work = new();
    private readonly string marker = FakeEngine.NewMarker();

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task A_failing_metadata_service_is_polled_with_back_off_and_a_recovery_is_still_noticed()
    {
        await using var imds = await ImdsEmulator.StartAsync("m-backoff");
        // The local runtime's interval: four polls a second while the service answers.
        await using var agent = await AgentProcess.StartAsync("--metadata-url", imds.BaseUrl.ToString(), "--metadata-poll-ms", "250");
        await Eventually.TrueAsync(() => imds.InstanceActionRequests >= 4, Patience, () => agent.Output);

        imds.FailWith(HttpStatusCode.InternalServerError);
        var failuresBefore = Requests(imds);
        // Four failures in a row (waits of 0.5, 1 and 2 s between them): the next wait is 4 s, then 8 s.
        await Eventually.TrueAsync(() => Requests(imds) - failuresBefore >= 4, Patience, () => agent.Output);
        var windowStart = Requests(imds);
        var window = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(4));
        var polled = Requests(imds) - windowStart;
        window.Stop();

        // At the interval it would have made some 16 polls in the window.
        Assert.True(polled <= 2, $"{polled} requests in {window.Elapsed.TotalSeconds:0.0} s of failures: no back-off\n{agent.Output}");
        Assert.False(agent.HasExited, agent.Output); // no --orphan-exit-after-ms: it never leaves on its own
        Assert.Single(agent.Stderr.Split('\n'), line => line.Contains("metadata service")); // failures logged once, not per poll

        imds.Recover();
        imds.SetNotice("terminate", "2026-03-01T12:00:00Z");
        await Eventually.TrueAsync(async () => (string?)(await agent.GetJsonAsync("/health"))["status"] == "interrupted",
            MetadataPollBackoff.Cap + Patience, () => agent.Output);
    }

    [Fact]
    public async Task An_agent_whose_metadata_endpoint_is_gone_exits_within_the_bound_and_takes_its_engine_along()
    {
        var imds = await ImdsEmulator.StartAsync("m-orphan");
        await using var agent = await AgentProcess.StartAsync(FakeEngine.AgentArgs(work.Path, FakeEngine.Run(marker),
            "--metadata-url", imds.BaseUrl.ToString(), "--metadata-poll-ms", "250", "--orphan-exit-after-ms", "3000"));
        await Eventually.TrueAsync(async () => (string?)(await agent.GetJsonAsync("/health"))["engine"]?["state"] == "running",
            Patience, () => agent.Output);
        await Eventually.TrueAsync(() => imds.InstanceActionRequests >= 2, Patience, () => agent.Output);
        Assert.Equal(0, (await ProcessRunner.RunAsync("pgrep", ["-f", marker])).ExitCode); // the engine runs

        var gone = Stopwatch.StartNew();
        await imds.DisposeAsync(); // the runtime's metadata server is gone: connections are refused from now on
        string? orphanLine = null;
        await Eventually.TrueAsync(() => (orphanLine = agent.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("orphaned:"))) is not null,
            Patience, () => agent.Output);
        var decidedAfter = gone.Elapsed;
        var exitCode = await agent.WaitForExitAsync(Patience);

        Assert.Equal(0, exitCode);
        // Not before the bound (its first failure came after the server went), and soon after it: the back-off
        // never waits past the bound. The slack is for a loaded machine.
        Assert.True(decidedAfter >= TimeSpan.FromSeconds(3), $"orphaned {decidedAfter.TotalSeconds:0.0} s after the endpoint went");
        Assert.True(decidedAfter <= TimeSpan.FromSeconds(3 + 5), $"orphaned only {decidedAfter.TotalSeconds:0.0} s after the endpoint went");
        Assert.Contains("--orphan-exit-after-ms 3000", orphanLine);
        Assert.Single(agent.Stdout.Split('\n'), line => line.StartsWith("orphaned:"));
        await AgentProcess.AssertNoProcessWithAsync(marker); // its engine went with it
    }

    private static int Requests(ImdsEmulator imds) => imds.TokenRequests + imds.InstanceActionRequests;
}
