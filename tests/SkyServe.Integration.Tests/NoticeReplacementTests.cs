using SkyServe.Providers.Local;
using SkyServe.Testing;

namespace SkyServe.Integration.Tests;

/// <summary>
/// Acting on the interruption notice: when provisioning is shorter than the notice lead, the replacement
/// is READY before the reclaimed machine's deadline (SkyServe itself would only start after it died).
/// </summary>
public sealed class NoticeReplacementTests
{
    private const string Spec = """
        service:
          readiness_probe: /ready
          replicas: 1
          ports: 8080
        resources:
          cloud: aws
          use_spot: true
          cpus: 8
        """;

    /// <param name="cloudEvents">
    /// True: the notice arrives on the provider's event stream. False: the provider has no event feed (as on
    /// GCP), so only the replica's agent sees the notice in the metadata service and reports it on /health.
    /// </param>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_replacement_is_ready_before_the_preempted_machine_dies(bool cloudEvents)
    {
        var east = new ScriptedSpotCapacity(4);
        var west = new ScriptedSpotCapacity(4);
        await using var system = await LocalSystem.StartAsync(
            [("aws/us-east-1/us-east-1a", east), ("aws/us-west-2/us-west-2a", west)],
            provider: o => o with { NoticeLead = TimeSpan.FromSeconds(15), ProvisioningDelay = TimeSpan.FromMilliseconds(500) },
            wrap: p => cloudEvents ? p : new WithoutEventFeed(p));
        await system.CreateAsync("svc", Spec);
        await system.WaitUntilAsync("svc", r => LocalSystem.Ready(r) == 1, TimeSpan.FromSeconds(60), "the first replica");
        var first = (await system.ReplicasAsync("svc")).Single(r => r!["status"]!.GetValue<string>() == "READY")!;
        var firstZone = first["zone"]!.GetValue<string>();

        (firstZone == "us-east-1a" ? east : west).Capacity = 0; // the zone is reclaimed: a 15 s notice
        await system.WaitUntilAsync("svc", r => r.Any(x => x!["notice_deadline"] is not null), TimeSpan.FromSeconds(10), "the notice");
        var deadline = (await system.ReplicasAsync("svc")).Single(r => r!["notice_deadline"] is not null)!["notice_deadline"]!.GetValue<DateTime>();

        await system.WaitUntilAsync("svc", r => r.Any(x => x!["replica_id"]!.GetValue<int>() != first["replica_id"]!.GetValue<int>()
            && x["status"]!.GetValue<string>() == "READY"), TimeSpan.FromSeconds(30), "the replacement");
        var replacement = (await system.ReplicasAsync("svc")).Single(r => r!["replica_id"]!.GetValue<int>() != first["replica_id"]!.GetValue<int>()
            && r["status"]!.GetValue<string>() == "READY")!;
        Assert.NotEqual(firstZone, replacement["zone"]!.GetValue<string>()); // SpotHedge moved it out of the reclaimed zone
        Assert.True(replacement["ready_at"]!.GetValue<DateTime>() < deadline,
            $"replacement ready at {replacement["ready_at"]}, after the deadline {deadline:O}");

        // The reclaimed replica left rotation at once and ends PREEMPTED when its machine goes.
        var events = await system.EventsAsync("svc");
        Assert.Contains(events, e => e!["replica_id"]?.GetValue<int>() == first["replica_id"]!.GetValue<int>()
            && e["to_status"]!.GetValue<string>() == "NOT_READY"
            && e["reason"]!.GetValue<string>().StartsWith(cloudEvents ? "interruption notice (cloud event)" : "interruption notice (reported by the replica's agent)"));
        await system.WaitUntilAsync("svc", r => r.Any(x => x!["status"]!.GetValue<string>() == "PREEMPTED"), TimeSpan.FromSeconds(30), "the preemption");
    }
}
