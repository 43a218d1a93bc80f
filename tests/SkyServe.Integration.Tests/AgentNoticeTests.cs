using SkyServe.Providers;
using SkyServe.Providers.Local;
using SkyServe.Testing;

namespace SkyServe.Integration.Tests;

/// <summary>
/// A notice that only the replica's agent knows of: no provider event feed, and a readiness probe that never
/// fails (so the controller never reads the agent's /health either). The agent's own report to
/// POST /api/v1/agent/notices is all the controller gets, and it launches the replacement at once.
/// </summary>
public sealed class AgentNoticeTests
{
    private const string Spec = """
        service:
          readiness_probe: /v1/ping
          replicas: 1
          ports: 8080
        resources:
          cloud: gcp
          use_spot: true
          cpus: 4
        """;

    [Fact]
    public async Task Only_the_agent_reports_the_notice_and_the_replacement_is_launched_at_once()
    {
        var zoneA = new ScriptedSpotCapacity(4);
        var zoneB = new ScriptedSpotCapacity(4);
        await using var system = await LocalSystem.StartAsync(
            [("gcp/us-central1/us-central1-a", zoneA), ("gcp/us-central1/us-central1-b", zoneB)],
            provider: o => o with { NoticeLead = TimeSpan.FromSeconds(30), ProvisioningDelay = TimeSpan.FromMilliseconds(300) },
            // Passes only every 5 s: a replacement within a few seconds of the notice comes from the report's wake-up, not a pass.
            reconcile: r => r with { Interval = TimeSpan.FromSeconds(5) },
            wrap: p => new WithoutEventFeed(new ProbePathIsNotTheAgents(p)));
        await system.CreateAsync("svc", Spec);
        await system.WaitUntilAsync("svc", r => LocalSystem.Ready(r) == 1, TimeSpan.FromSeconds(60), "the first replica");
        var first = (await system.ReplicasAsync("svc")).Single()!;
        var firstId = first["replica_id"]!.GetValue<int>();

        var reclaimedAt = DateTime.UtcNow;
        (first["zone"]!.GetValue<string>() == "us-central1-a" ? zoneA : zoneB).Capacity = 0; // a 30 s notice
        await system.WaitUntilAsync("svc", r => r.Count > 1, TimeSpan.FromSeconds(10), "the replacement's launch");
        var replicas = await system.ReplicasAsync("svc");
        var noticed = replicas.Single(r => r!["replica_id"]!.GetValue<int>() == firstId)!;
        var launchedAfter = replicas.Where(r => r!["replica_id"]!.GetValue<int>() != firstId).Min(r => r!["created_at"]!.GetValue<DateTime>()) - reclaimedAt;
        Assert.True(launchedAfter < TimeSpan.FromSeconds(4), $"the replacement was launched {launchedAfter.TotalMilliseconds:0} ms after the reclaim");
        Assert.Equal("NOT_READY", noticed["status"]!.GetValue<string>());
        // GCP states no deadline: the agent assumes 30 s from when preempted turned TRUE.
        var deadline = noticed["notice_deadline"]!.GetValue<DateTime>();
        Assert.InRange(deadline - reclaimedAt, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(32));
        var events = await system.EventsAsync("svc");
        Assert.Contains(events, e => e!["replica_id"]?.GetValue<int>() == firstId && e["to_status"]!.GetValue<string>() == "NOT_READY"
            && e["reason"]!.GetValue<string>().StartsWith("interruption notice (reported by the replica's agent)"));
        Assert.DoesNotContain(events, e => e!["reason"]!.GetValue<string>().Contains("cloud event"));

        await system.WaitUntilAsync("svc", r => r.Any(x => x!["replica_id"]!.GetValue<int>() != firstId && x["status"]!.GetValue<string>() == "READY"),
            TimeSpan.FromSeconds(25), "the replacement to be READY");
        var ready = (await system.ReplicasAsync("svc")).First(r => r!["replica_id"]!.GetValue<int>() != firstId && r["status"]!.GetValue<string>() == "READY")!;
        Assert.NotEqual(first["zone"]!.GetValue<string>(), ready["zone"]!.GetValue<string>());
        Assert.True(ready["ready_at"]!.GetValue<DateTime>() < deadline, $"replacement ready at {ready["ready_at"]}, after the deadline {deadline:O}");
    }

    /// <summary>
    /// Launches agents with a readiness path other than the spec's probe path, which the agent then answers
    /// with its echo (always 200): the controller's probe never fails, so it never looks at /health.
    /// </summary>
    private sealed class ProbePathIsNotTheAgents(ICloudProvider inner) : ICloudProvider
    {
        public IReadOnlyCollection<string> Clouds => inner.Clouds;
        public Task<IReadOnlyList<CloudOffering>> ListOfferingsAsync(CancellationToken ct) => inner.ListOfferingsAsync(ct);
        public Task<CloudMachine> LaunchAsync(LaunchRequest request, CancellationToken ct) =>
            inner.LaunchAsync(request with { Agent = request.Agent with { ReadinessPath = "/agent-readiness" } }, ct);
        public Task TerminateAsync(string machineId, CancellationToken ct) => inner.TerminateAsync(machineId, ct);
        public Task<CloudMachine?> GetAsync(string machineId, CancellationToken ct) => inner.GetAsync(machineId, ct);
        public Task<IReadOnlyList<CloudMachine>> ListAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct) => inner.ListAsync(tags, ct);
        public IAsyncEnumerable<InterruptionNotice> WatchInterruptionsAsync(CancellationToken ct) => inner.WatchInterruptionsAsync(ct);
    }
}
