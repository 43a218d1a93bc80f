using System.Collections.Immutable;

namespace SkyServe.Core.Traces;

/// <summary>
/// Generates spot capacity traces that behave like the real AWS ones (see <see cref="RandomSpotCapacityParameters"/>
/// for the model and why its defaults are what they are), for zones that have no measured trace.
/// </summary>
/// <remarks>
/// Each zone is a Markov-modulated process in simulated time: plentiful (full capacity, brief dips of a few
/// instances), degraded (partial capacity that wanders) or dry (none), with exponential dwell times. Zones of one
/// region share a calm/stressed pressure process that makes losses more frequent and longer for all of them at
/// once. The result depends only on the arguments: one <see cref="Random"/> seeded with <c>seed</c> is drawn in a
/// fixed order, so a seed always gives the same traces, and nothing reads the clock.
/// </remarks>
public static class RandomSpotCapacity
{
    /// <summary>One trace per zone, <paramref name="sampleCount"/> samples every <paramref name="gapSeconds"/>, all starting at one moment.</summary>
    public static SpotTraceSet Generate(
        IEnumerable<RandomCapacityZone> zones, int gapSeconds, int sampleCount, int seed, RandomSpotCapacityParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(zones);
        var zoneList = zones.ToList();
        if (zoneList.Count == 0)
            throw new ArgumentException("at least one zone is needed", nameof(zones));
        foreach (var zone in zoneList)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(zone.Zone, nameof(zones));
            if (zone.MaxCapacity < 1)
                throw new ArgumentException($"zone {zone.Zone}: MaxCapacity must be at least 1, got {zone.MaxCapacity}", nameof(zones));
        }
        var duplicate = zoneList.GroupBy(z => z.Zone).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"zone {duplicate.Key} is listed twice", nameof(zones));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(gapSeconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleCount);
        parameters ??= new RandomSpotCapacityParameters();
        parameters.Validate();

        var random = new Random(seed);
        var regions = zoneList.Select(z => z.EffectiveRegion).Distinct()
            .ToDictionary(name => name, _ => new RegionalPressure(parameters));
        var processes = zoneList
            .Select(z => new ZoneCapacityProcess(z.MaxCapacity, regions[z.EffectiveRegion], parameters, random))
            .ToList();

        // A step that divides the gap exactly, so every sample falls on a step boundary.
        var stepsPerGap = (gapSeconds + parameters.SimulationStepSeconds - 1) / parameters.SimulationStepSeconds;
        var stepHours = gapSeconds / 3600.0 / stepsPerGap;
        var burnInSteps = (long)Math.Ceiling(parameters.BurnInHours / stepHours);

        void Step()
        {
            foreach (var pressure in regions.Values)
                pressure.Step(random, stepHours);
            foreach (var process in processes)
                process.Step(random, stepHours);
        }

        for (long i = 0; i < burnInSteps; i++)
            Step();
        var samples = zoneList.Select(_ => ImmutableArray.CreateBuilder<int>(sampleCount)).ToList();
        for (var sample = 0; sample < sampleCount; sample++)
        {
            for (var z = 0; z < processes.Count; z++)
                samples[z].Add(processes[z].Capacity);
            for (var s = 0; s < stepsPerGap; s++)
                Step();
        }
        return new SpotTraceSet(zoneList.Select((zone, z) =>
            new SpotTrace(SpotTraceName.For(zone.Zone, zone.Gpu, zone.MaxCapacity), gapSeconds, samples[z].MoveToImmutable())));
    }

    /// <summary>The same, for zones that all hold up to <paramref name="maxCapacityPerZone"/> instances.</summary>
    public static SpotTraceSet Generate(
        IEnumerable<string> zones, int maxCapacityPerZone, int gapSeconds, int sampleCount, int seed, RandomSpotCapacityParameters? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(zones);
        return Generate(zones.Select(z => new RandomCapacityZone(z, maxCapacityPerZone)), gapSeconds, sampleCount, seed, parameters);
    }
}
