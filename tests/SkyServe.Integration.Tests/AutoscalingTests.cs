using SkyServe.Testing;
using System.Text.Json.Nodes;

namespace SkyServe.Integration.Tests;

/// <summary>A step of offered load up and back down, through the load balancers' stats endpoint, honouring the delays.</summary>
public sealed class AutoscalingTests
{
    private const string Spec = """
        service:
          readiness_probe: /ready
          replica_policy:
            min_replicas: 1
            max_replicas: 3
            target_qps_per_replica: 1
            upscale_delay_seconds: 3
            downscale_delay_seconds: 6
          ports: 8080
        resources:
          cloud: aws
          cpus: 8
        """;

    [Fact]
    public async Task Replicas_follow_a_load_step_up_and_down_after_the_delays()
    {
        await using var system = await LocalSystem.StartAsync(
            [("aws/us-east-1/us-east-1a", new ScriptedSpotCapacity(4))],
            reconcile: o => o with { QpsWindow = TimeSpan.FromSeconds(4) });
        await system.CreateAsync("auto", Spec);
        await system.WaitUntilAsync("auto", r => LocalSystem.Ready(r) == 1, TimeSpan.FromSeconds(60), "the minimum replica");

        // 2.5 req/s, posted in small steps (the window fills over 4 s, so the target may pass through 2) as a load balancer would: three replicas wanted, applied only after the 3 s upscale delay.
        var stepUp = DateTime.UtcNow;
        var lastPost = stepUp;
        using var load = new CancellationTokenSource();
        var loadTask = Task.Run(async () =>
        {
            // Each post counts the requests since the previous one, as a load balancer's does: the offered rate stays
            // 2.5 req/s however long a post takes on a busy machine.
            var sincePost = System.Diagnostics.Stopwatch.StartNew();
            while (!load.IsCancellationRequested)
            {
                var elapsed = sincePost.Elapsed.TotalSeconds;
                sincePost.Restart();
                await system.PostRequestsAsync("auto", 2.5 * elapsed);
                lastPost = DateTime.UtcNow;
                await Task.Delay(250);
            }
        });
        await system.WaitUntilAsync("auto", r => LocalSystem.Ready(r) == 3, TimeSpan.FromSeconds(40), "scale up to 3");
        var upEvents = await system.EventsAsync("auto");
        var scaledUpAt = At(upEvents.First(e => e!["reason"]!.GetValue<string>().StartsWith("target replicas 1 → ")));
        Assert.True(scaledUpAt - stepUp >= TimeSpan.FromSeconds(3), $"scaled up {(scaledUpAt - stepUp).TotalSeconds:0.0} s after the step, before the 3 s delay");

        await load.CancelAsync();
        await loadTask;
        var stepDown = lastPost;
        await system.WaitUntilAsync("auto", r => r.Count(x => x!["status"]!.GetValue<string>() == "READY") == 1
            && r.All(x => x!["status"]!.GetValue<string>() is "READY" or "SHUTTING_DOWN"), TimeSpan.FromSeconds(60), "scale down to 1");
        var downEvents = await system.EventsAsync("auto");
        var scaledDownAt = At(downEvents.First(e => e!["reason"]!.GetValue<string>().StartsWith("target replicas 3 → ")));
        // The load leaves the 4 s window first, then the 6 s downscale delay runs.
        Assert.True(scaledDownAt - stepDown >= TimeSpan.FromSeconds(6), $"scaled down {(scaledDownAt - stepDown).TotalSeconds:0.0} s after the step, before the 6 s delay");
    }

    private static DateTime At(JsonNode? e) => e!["at"]!.GetValue<DateTime>();
}
