using System.Collections.Immutable;
using SkyServe.Core.Policies;
using SkyServe.Core.Simulation;

namespace SkyServe.Core.Tests.Simulation;

/// <summary>Hand-built markets for the simulator tests.</summary>
internal static class SimTestData
{
    public static SimZone Zone(string name, params int[] capacity) =>
        new(name, new Location("aws", "test-1", name), [.. capacity]);

    /// <summary>A run over the given per-tick capacities (all rows of equal length = ticks).</summary>
    public static RunWindow Window(params int[][] capacity) =>
        new(0, 0, capacity.Select((row, i) => Zone($"zone-{(char)('a' + i)}", row)).ToList(), capacity, capacity[0].Length);

    public static int[] Constant(int value, int ticks) => Enumerable.Repeat(value, ticks).ToArray();

    /// <summary><paramref name="first"/> for <paramref name="split"/> ticks, then <paramref name="then"/>.</summary>
    public static int[] Step(int first, int split, int then, int ticks) =>
        Enumerable.Range(0, ticks).Select(t => t < split ? first : then).ToArray();

    public static TraceScenario Scenario(string name, params int[][] capacity) =>
        new(name, [.. capacity.Select((row, i) => Zone($"zone-{(char)('a' + i)}", row))], 30, false);

    public static SimulationSettings Settings(int ticks, int coldStartSeconds = 120, int target = 3, int extra = 1) => new()
    {
        Ticks = ticks,
        ColdStartSeconds = coldStartSeconds,
        TargetReplicas = target,
        ExtraReplicas = extra,
        Repeats = 1,
    };

    public static RunTrace Run(RunWindow window, ISimulatedPolicy policy, SimulationSettings settings) =>
        SimulationEngine.Run(window, policy, settings, new SimRandom(1));
}
