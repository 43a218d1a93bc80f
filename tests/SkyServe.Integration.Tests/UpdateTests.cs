using SkyServe.Testing;
using System.Text.Json.Nodes;

namespace SkyServe.Integration.Tests;

/// <summary>Rolling updates never drop below the target; blue-green switches traffic only once the new version is ready.</summary>
public sealed class UpdateTests
{
    private static string Spec(string revision) => $"""
        service:
          readiness_probe: /ready
          replicas: 2
          ports: 8080
        resources:
          cloud: aws
          cpus: 8
        envs:
          REVISION: "{revision}"
        """;

    private static Task<LocalSystem> StartAsync() => LocalSystem.StartAsync(
        [("aws/us-east-1/us-east-1a", new ScriptedSpotCapacity(4))],
        reconcile: o => o with { LocalReadyDelay = TimeSpan.FromSeconds(2) }); // new replicas take a while to load

    [Fact]
    public async Task A_rolling_update_replaces_every_replica_without_dropping_below_the_target()
    {
        await using var system = await StartAsync();
        await system.CreateAsync("roll", Spec("one"));
        await system.WaitUntilAsync("roll", r => LocalSystem.Ready(r, version: 1) == 2, TimeSpan.FromSeconds(60), "version 1");

        await system.UpdateAsync("roll", Spec("two"), "rolling");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        var lowest = int.MaxValue;
        JsonArray replicas;
        do
        {
            replicas = await system.ReplicasAsync("roll");
            lowest = Math.Min(lowest, LocalSystem.Ready(replicas));
            Assert.True(DateTime.UtcNow < deadline, $"the rolling update did not finish: {replicas.ToJsonString()}");
            await Task.Delay(50);
        }
        while (!(LocalSystem.Ready(replicas, version: 2) == 2 && replicas.All(r => r!["version"]!.GetValue<int>() == 2)));
        Assert.True(lowest >= 2, $"READY replicas fell to {lowest} during the rolling update");
    }

    [Fact]
    public async Task A_blue_green_update_switches_traffic_only_when_the_new_version_is_ready()
    {
        await using var system = await StartAsync();
        await system.CreateAsync("bg", Spec("blue"));
        await system.WaitUntilAsync("bg", r => LocalSystem.Ready(r, version: 1) == 2, TimeSpan.FromSeconds(60), "version 1");

        await system.UpdateAsync("bg", Spec("green"), "blue_green");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        var sawOnlyOld = false;
        while (true)
        {
            var routes = (await system.RoutesAsync())["services"]!.AsArray().Single(s => s!["name"]!.GetValue<string>() == "bg")!;
            var routed = routes["ready_replicas"]!.AsArray().Select(r => r!["version"]!.GetValue<int>()).ToList();
            var readyNew = LocalSystem.Ready(await system.ReplicasAsync("bg"), version: 2);
            Assert.False(routed.Contains(1) && routed.Contains(2), $"blue-green routed both versions at once: {routes.ToJsonString()}");
            if (routed.Count > 0 && routed.All(v => v == 1))
                sawOnlyOld = true;
            if (routed.Contains(2))
            {
                Assert.True(readyNew >= 2, $"traffic switched with only {readyNew} new replicas ready");
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, "blue-green never switched");
            await Task.Delay(50);
        }
        Assert.True(sawOnlyOld, "the old version should have kept the traffic while the new one loaded");
        await system.WaitUntilAsync("bg", r => r.All(x => x!["version"]!.GetValue<int>() == 2), TimeSpan.FromSeconds(30), "the old version to go");
    }
}
