using SkyServe.Core.Simulation;
using SkyServe.Core.Traces;
using SkyServe.Testing;
using static SkyServe.Core.Tests.Simulation.SimTestData;

namespace SkyServe.Core.Tests.Simulation;

public sealed class TraceScenarioTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void The_shared_folders_become_one_run_per_instance_type()
    {
        Assert.Equal(
            ["AWS-2022-2zone/k80_1", "AWS-2022-2zone/k80_8", "AWS-2022-2zone/v100_1", "AWS-2022-2zone/v100_8", "AWS1", "AWS2"],
            SharedTraceScenarios.Scenarios.Select(scenario => scenario.Name));
        var aws1 = SharedTraceScenarios.Named("AWS1");
        Assert.Equal(["us-east-1f", "us-east-2a", "us-west-2c"], aws1.Zones.Select(zone => zone.Name));
        Assert.Equal(3156 * 10, aws1.Length); // 300 s samples, 30 s ticks
        Assert.False(aws1.Unlimited);
        Assert.Equal(3247 * 10, SharedTraceScenarios.Named("AWS2").Length); // the shortest of its three files

        var v100 = SharedTraceScenarios.Named("AWS-2022-2zone/v100_8");
        Assert.Equal(["us-west-2a", "us-west-2b"], v100.Zones.Select(zone => zone.Name));
        Assert.True(v100.Unlimited); // 0/1 availability traces: 1 means any amount
        Assert.Equal(3895 * 20, v100.Length); // 600 s samples
        Assert.All(v100.Zones.SelectMany(zone => zone.Capacity), capacity => Assert.Contains(capacity, new[] { 0, SimZone.UnlimitedCapacity }));
    }

    [Fact]
    public void Repeats_start_where_the_artifacts_numpy_draws_put_them()
    {
        var windows = RunWindow.Plan(SharedTraceScenarios.Named("AWS1"), new SimulationSettings());
        Assert.Equal([2732, 10799, 9845, 19648, 13123, 21243, 9225, 24275, 20757, 22258], windows.Select(window => window.Offset));
        Assert.All(windows, window => Assert.Equal(3, window.Zones.Select(zone => zone.Name).Distinct().Count()));
        Assert.True(windows.Select(window => string.Join(",", window.Zones.Select(zone => zone.Name))).Distinct().Count() > 1, "zone orders are shuffled per repeat");
    }

    [Fact]
    public void A_gap_that_is_not_a_whole_number_of_ticks_is_refused_by_name()
    {
        File.WriteAllText(Path.Combine(temp.Path, "us-east-1a_v100_1.json"), """{"metadata": {"gap_seconds": 45}, "data": [1, 0, 1]}""");
        var error = Assert.Throws<SpotTraceException>(() => TraceScenario.Load(temp.Path, 30));
        Assert.Contains("us-east-1a_v100_1.json", error.Message);
        Assert.Contains("45", error.Message);
    }

    [Fact]
    public void A_missing_folder_is_a_clear_error()
    {
        var error = Assert.Throws<SpotTraceException>(() => TraceScenario.Load(Path.Combine(temp.Path, "nowhere"), 30));
        Assert.Contains("trace folder not found", error.Message);
    }

    [Fact]
    public void Traces_shorter_than_a_run_are_refused()
    {
        var scenario = Scenario("short", Constant(1, 100));
        var error = Assert.Throws<ArgumentException>(() => RunWindow.Plan(scenario, new SimulationSettings { Ticks = 100 }));
        Assert.Contains("short", error.Message);
    }
}
