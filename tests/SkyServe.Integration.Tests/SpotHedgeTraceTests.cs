using SkyServe.Core.Traces;
using SkyServe.Providers.Local;
using SkyServe.Testing;
using Xunit.Abstractions;

namespace SkyServe.Integration.Tests;

/// <summary>
/// SpotHedge on the real AWS1 trace, compressed: 4 trace hours (from sample 383, where two zones are dry and
/// the third runs dry for an hour) in one real minute. With on-demand fallback the service keeps 3 READY
/// replicas except while replacements cold-start; without it, it loses them while spot is missing.
/// </summary>
public sealed class SpotHedgeTraceTests(ITestOutputHelper output)
{
    private const int StartSample = 383;
    private const double Compression = 240; // one trace hour per 15 s
    private static readonly TimeSpan TraceSpan = TimeSpan.FromHours(4);

    private static string Spec(bool fallback) => $"""
        service:
          readiness_probe:
            path: /ready
            initial_delay_seconds: 600
          replica_policy:
            min_replicas: 3
            num_overprovision: 1
            dynamic_ondemand_fallback: {(fallback ? "true" : "false")}
            spot_placer: dynamic_fallback
          ports: 8080
        resources:
          cloud: aws
          use_spot: true
          cpus: 8
        """;

    [Fact]
    public async Task Fallback_keeps_the_target_ready_and_turning_it_off_loses_availability()
    {
        var withFallback = await RunAsync(fallback: true);
        var without = await RunAsync(fallback: false);
        output.WriteLine($"AWS1 from sample {StartSample}, {TraceSpan.TotalHours} trace hours at x{Compression}:");
        output.WriteLine($"  SpotHedge with on-demand fallback:    availability {withFallback.Availability:P1} ({withFallback.Samples} samples), on-demand launched {withFallback.OnDemandLaunched}, removed {withFallback.OnDemandRemoved}");
        output.WriteLine($"  SpotHedge without on-demand fallback: availability {without.Availability:P1} ({without.Samples} samples)");

        Assert.True(withFallback.OnDemandLaunched > 0, "no on-demand replica was launched while spot was missing");
        Assert.True(withFallback.OnDemandRemoved > 0, "no on-demand replica was removed after spot came back");
        Assert.True(withFallback.Availability >= 0.80, $"with fallback, availability was only {withFallback.Availability:P1}");
        Assert.True(without.Availability <= withFallback.Availability - 0.15,
            $"turning fallback off should cost availability: {without.Availability:P1} vs {withFallback.Availability:P1}");
        Assert.Equal(0, without.OnDemandLaunched);
    }

    private sealed record RunResult(double Availability, int Samples, int OnDemandLaunched, int OnDemandRemoved);

    private async Task<RunResult> RunAsync(bool fallback)
    {
        var traces = SpotTraceSet.LoadDirectory(Path.Combine(RepoPaths.SharedTraces, "AWS1"));
        var zones = traces.Traces.Select(t => (
            Infra: $"aws/{ZoneRegion.Of(t.Zone)}/{t.Zone}",
            Capacity: (ISpotCapacity)new TraceSpotCapacity(t, TimeSpan.FromSeconds(t.GapSeconds * StartSample)))).ToList();
        await using var system = await LocalSystem.StartAsync(zones, provider: o => o with
        {
            TimeCompression = Compression,
            UnavailableOfferingTtl = TimeSpan.FromSeconds(2.5), // 10 trace minutes
        });
        var name = fallback ? "hedge" : "hedge-nofallback";
        await system.CreateAsync(name, Spec(fallback));

        // Availability: share of samples with at least N_tar = 3 READY, from the first time the target was reached.
        var end = DateTime.UtcNow + TraceSpan / Compression;
        int samples = 0, available = 0;
        var started = false;
        while (DateTime.UtcNow < end)
        {
            var ready = LocalSystem.Ready(await system.ReplicasAsync(name));
            started |= ready >= 3;
            if (started)
            {
                samples++;
                available += ready >= 3 ? 1 : 0;
            }
            await Task.Delay(200);
        }
        var events = await system.EventsAsync(name);
        AssertEveryReplicaHasItsHistory(events);
        var onDemandLaunched = events.Count(e => e!["to_status"]!.GetValue<string>() == "PENDING" && e["reason"]!.GetValue<string>().StartsWith("on-demand"));
        var onDemandRemoved = events.Count(e => e!["to_status"]!.GetValue<string>() == "SHUTTING_DOWN" && e["reason"]!.GetValue<string>().StartsWith("on-demand fallback"));
        return new RunResult(samples == 0 ? 0 : (double)available / samples, samples, onDemandLaunched, onDemandRemoved);
    }

    /// <summary>Every replica's life is in the event log: created PENDING, then each status it went through.</summary>
    private static void AssertEveryReplicaHasItsHistory(System.Text.Json.Nodes.JsonArray events)
    {
        foreach (var replica in events.Where(e => e!["replica_id"] is not null).GroupBy(e => e!["replica_id"]!.GetValue<int>()))
        {
            var history = replica.ToList();
            Assert.Equal("PENDING", history[0]!["to_status"]!.GetValue<string>());
            for (var i = 1; i < history.Count; i++)
                Assert.Equal(history[i - 1]!["to_status"]!.GetValue<string>(), history[i]!["from_status"]!.GetValue<string>());
        }
    }
}
