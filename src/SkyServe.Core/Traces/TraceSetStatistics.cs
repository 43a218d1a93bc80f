using System.Collections.Immutable;

namespace SkyServe.Core.Traces;

/// <summary>The <see cref="TraceStatistics"/> of every trace of a set and the availability correlation of every pair.</summary>
public sealed record TraceSetStatistics(ImmutableArray<TraceStatistics> Traces, ImmutableArray<TracePairCorrelation> Pairs)
{
    /// <summary>Mean correlation of the pairs in different zones of one region; null when there are none (or none defined).</summary>
    public double? MeanSameRegionCorrelation => Mean(Pairs.Where(p => p.SameRegion && !p.SameZone));

    /// <summary>Mean correlation of the pairs in different regions; null when there are none (or none defined).</summary>
    public double? MeanCrossRegionCorrelation => Mean(Pairs.Where(p => !p.SameRegion));

    public static TraceSetStatistics Of(SpotTraceSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        var traces = set.Traces;
        var pairs = ImmutableArray.CreateBuilder<TracePairCorrelation>();
        for (var i = 0; i < traces.Length; i++)
            for (var j = i + 1; j < traces.Length; j++)
                pairs.Add(new TracePairCorrelation(
                    traces[i].Name,
                    traces[j].Name,
                    traces[i].Zone == traces[j].Zone,
                    ZoneRegion.Of(traces[i].Zone) == ZoneRegion.Of(traces[j].Zone),
                    TraceStatistics.AvailabilityCorrelation(traces[i], traces[j])));
        return new TraceSetStatistics([.. traces.Select(t => TraceStatistics.Of(t))], pairs.ToImmutable());
    }

    private static double? Mean(IEnumerable<TracePairCorrelation> pairs)
    {
        var defined = pairs.Where(p => p.Correlation is not null).Select(p => p.Correlation!.Value).ToList();
        return defined.Count > 0 ? defined.Average() : null;
    }
}
