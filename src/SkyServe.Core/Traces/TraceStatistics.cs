using System.Globalization;

namespace SkyServe.Core.Traces;

/// <summary>
/// How one trace behaves: how much of the time it is full, partial or dry, how long it stays available or dry,
/// and how capacity drops. Used to compare the generated capacity process with the real traces.
/// </summary>
/// <remarks>
/// "Full" is <see cref="FullCapacity"/> (the trace's peak unless given). A stretch is a maximal run of samples
/// with capacity &gt; 0 (available) or = 0 (dry); the first and last stretch are cut by the trace's ends and are
/// counted as they are. A drop is a sample lower than the one before; its size is the difference, and a drop of
/// 2 or more is a multi-node drop (several replicas preempted at once). Means over no stretches or drops are 0.
/// </remarks>
public sealed record TraceStatistics(
    string Name,
    string Zone,
    int FullCapacity,
    double Hours,
    double FullFraction,
    double PartialFraction,
    double ZeroFraction,
    int AvailableStretchCount,
    double MeanAvailableStretchHours,
    double LongestAvailableStretchHours,
    int DryStretchCount,
    double MeanDryStretchHours,
    double LongestDryStretchHours,
    int DropCount,
    double MeanDropSize,
    int MultiNodeDropCount)
{
    public double DropsPerDay => Hours > 0 ? DropCount / Hours * 24 : 0;

    public static TraceStatistics Of(SpotTrace trace, int? fullCapacity = null)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var full = fullCapacity ?? trace.PeakCapacity;
        ArgumentOutOfRangeException.ThrowIfNegative(full);
        var samples = trace.Samples;
        var hoursPerSample = trace.GapSeconds / 3600.0;

        var available = new List<int>();
        var dry = new List<int>();
        var run = 1;
        for (var i = 1; i <= samples.Length; i++)
        {
            if (i < samples.Length && samples[i] > 0 == samples[i - 1] > 0)
            {
                run++;
                continue;
            }
            (samples[i - 1] > 0 ? available : dry).Add(run);
            run = 1;
        }

        var drops = new List<int>();
        for (var i = 1; i < samples.Length; i++)
            if (samples[i] < samples[i - 1])
                drops.Add(samples[i - 1] - samples[i]);

        double n = samples.Length;
        var atFull = samples.Count(v => v >= full && v > 0);
        var atZero = samples.Count(v => v == 0);
        return new TraceStatistics(
            trace.Name,
            trace.Zone,
            full,
            n * hoursPerSample,
            atFull / n,
            (n - atFull - atZero) / n,
            atZero / n,
            available.Count,
            MeanOrZero(available) * hoursPerSample,
            MaxOrZero(available) * hoursPerSample,
            dry.Count,
            MeanOrZero(dry) * hoursPerSample,
            MaxOrZero(dry) * hoursPerSample,
            drops.Count,
            MeanOrZero(drops),
            drops.Count(d => d >= 2));
    }

    /// <summary>
    /// Pearson correlation of two traces' availability (capacity &gt; 0 as 1, else 0) sample by sample, over the
    /// samples both cover; null when either is constant there (correlation is undefined). Both must share a gap.
    /// </summary>
    public static double? AvailabilityCorrelation(SpotTrace first, SpotTrace second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.GapSeconds != second.GapSeconds)
            throw new ArgumentException(
                $"{first.FileName} ({first.GapSeconds} s) and {second.FileName} ({second.GapSeconds} s) have different gaps", nameof(second));
        var length = Math.Min(first.Length, second.Length);
        double both = 0, onlyFirst = 0, onlySecond = 0;
        for (var i = 0; i < length; i++)
        {
            var a = first.Samples[i] > 0 ? 1 : 0;
            var b = second.Samples[i] > 0 ? 1 : 0;
            both += a * b;
            onlyFirst += a;
            onlySecond += b;
        }
        var meanA = onlyFirst / length;
        var meanB = onlySecond / length;
        var varianceA = meanA * (1 - meanA);
        var varianceB = meanB * (1 - meanB);
        if (varianceA <= 0 || varianceB <= 0)
            return null;
        return (both / length - meanA * meanB) / Math.Sqrt(varianceA * varianceB);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Name}: {Hours:F0} h, full {FullFraction:P1} (={FullCapacity}), partial {PartialFraction:P1}, zero {ZeroFraction:P1}; " +
        $"available stretches {AvailableStretchCount} mean {MeanAvailableStretchHours:F2} h (max {LongestAvailableStretchHours:F1}); " +
        $"dry stretches {DryStretchCount} mean {MeanDryStretchHours:F2} h (max {LongestDryStretchHours:F1}); " +
        $"drops {DropCount} ({DropsPerDay:F1}/day) mean size {MeanDropSize:F2}, multi-node {MultiNodeDropCount}");

    private static double MeanOrZero(List<int> values) => values.Count > 0 ? values.Average() : 0;

    private static double MaxOrZero(List<int> values) => values.Count > 0 ? values.Max() : 0;
}
