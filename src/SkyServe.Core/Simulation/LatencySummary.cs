namespace SkyServe.Core.Simulation;

/// <summary>Request latencies of one run (failures count at the timeout), as percentiles in seconds.</summary>
public sealed record LatencySummary(double P50, double P90, double P99, double FailureRate, int Requests)
{
    public static LatencySummary Of(IReadOnlyList<double> latencies, int failures)
    {
        if (latencies.Count == 0)
            return new LatencySummary(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        var sorted = latencies.Order().ToArray();
        return new LatencySummary(
            Percentile(sorted, 50), Percentile(sorted, 90), Percentile(sorted, 99), (double)failures / sorted.Length, sorted.Length);
    }

    /// <summary>Linear interpolation between the closest ranks (NumPy's default): rank <c>p/100 × (n − 1)</c>.</summary>
    public static double Percentile(double[] sorted, double p)
    {
        if (sorted.Length == 0)
            return double.NaN;
        var rank = p / 100.0 * (sorted.Length - 1);
        var low = (int)Math.Floor(rank);
        var high = Math.Min(low + 1, sorted.Length - 1);
        return sorted[low] + (rank - low) * (sorted[high] - sorted[low]);
    }
}
