using System.Collections.Immutable;
using SkyServe.Core.Policies;
using SkyServe.Core.Traces;

namespace SkyServe.Core.Simulation;

/// <summary>
/// One simulation run's market: time-aligned zones of one instance type, their capacities expanded to ticks (each trace
/// sample repeated <c>gap_seconds / tick</c> times) and cut to the length every zone covers.
/// </summary>
/// <param name="Name">e.g. <c>AWS1</c>, or <c>AWS-2022-2zone/v100_8</c> for one group of a folder with several.</param>
/// <param name="Zones">In file-name order; each repeat shuffles them with its seed.</param>
/// <param name="Unlimited">Every trace was a 0/1 availability trace, read as "no capacity" / "any amount".</param>
public sealed record TraceScenario(string Name, ImmutableArray<SimZone> Zones, int TickSeconds, bool Unlimited)
{
    /// <summary>Ticks every zone covers.</summary>
    public int Length => Zones.Min(zone => zone.Capacity.Length);

    /// <summary>
    /// The scenario of a set of traces, one per zone: gaps must be whole multiples of the tick; an availability trace
    /// set (all values 0/1, the paper simulator's reading) gets unlimited capacity where it says 1.
    /// </summary>
    public static TraceScenario From(string name, SpotTraceSet traces, int tickSeconds)
    {
        ArgumentNullException.ThrowIfNull(traces);
        var duplicate = traces.Traces.GroupBy(trace => trace.Zone).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
            throw new SpotTraceException(name,
                $"zone {duplicate.Key} has several traces ({string.Join(", ", duplicate.Select(t => t.FileName))}); a scenario takes one trace per zone");
        var unlimited = traces.Traces.All(trace => trace.IsAvailabilityTrace);
        var zones = traces.Traces.Select(trace =>
        {
            if (trace.GapSeconds % tickSeconds != 0)
                throw new SpotTraceException(trace.FileName, $"gap_seconds {trace.GapSeconds} is not a whole number of {tickSeconds} s ticks");
            var ticks = trace.ToTicks(tickSeconds);
            if (unlimited)
                ticks = [.. ticks.Select(value => value > 0 ? SimZone.UnlimitedCapacity : 0)];
            var location = new Location("aws", ZoneRegion.Of(trace.Zone), trace.Zone);
            return new SimZone(trace.Zone, location, ticks);
        }).ToImmutableArray();
        return new TraceScenario(name, zones, tickSeconds, unlimited);
    }

    /// <summary>
    /// The scenarios of one trace folder: the whole folder when its files are of one instance type (one GPU and count),
    /// else one scenario per GPU and count (<c>folder/gpu_count</c>), since only traces of one type describe one market.
    /// </summary>
    public static IReadOnlyList<TraceScenario> FromFolder(string folder, int tickSeconds)
    {
        var traces = SpotTraceSet.LoadDirectory(folder);
        var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        var groups = traces.Traces.GroupBy(trace => (trace.Gpu, trace.NodeCount)).ToList();
        if (groups.Count == 1)
            return [From(name, traces, tickSeconds)];
        return groups
            .Select(group => From($"{name}/{group.Key.Gpu ?? "unknown"}_{group.Key.NodeCount?.ToString() ?? "?"}", new SpotTraceSet(group), tickSeconds))
            .OrderBy(scenario => scenario.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// <paramref name="path"/> itself when it holds trace files, else every sub-folder that does (in name order), e.g.
    /// <c>../shared/traces</c> gives AWS-2022-2zone's groups, AWS1 and AWS2.
    /// </summary>
    public static IReadOnlyList<TraceScenario> Load(string path, int tickSeconds)
    {
        if (!Directory.Exists(path))
            throw new SpotTraceException(path, "trace folder not found");
        if (Directory.EnumerateFiles(path, "*.json", SearchOption.TopDirectoryOnly).Any())
            return FromFolder(path, tickSeconds);
        var folders = Directory.EnumerateDirectories(path)
            .Where(folder => Directory.EnumerateFiles(folder, "*.json", SearchOption.TopDirectoryOnly).Any())
            .Order(StringComparer.Ordinal)
            .ToList();
        if (folders.Count == 0)
            throw new SpotTraceException(path, "no trace files (*.json) in this folder or its sub-folders");
        return folders.SelectMany(folder => FromFolder(folder, tickSeconds)).ToList();
    }
}
