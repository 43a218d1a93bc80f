namespace SkyServe.Bench.Scale;

/// <summary>What one fleet size measured (null: not measured, or timed out; see <see cref="Note"/>).</summary>
public sealed class SizeResult(string database, SizeStep step)
{
    public string Database { get; } = database;
    public SizeStep Step { get; } = step;
    public int Services { get; set; }
    public int Replicas { get; set; }
    /// <summary>Whether the size ran at all (false: skipped, see <see cref="Note"/>).</summary>
    public bool Ran { get; set; }
    public bool Converged { get; set; }
    /// <summary>The API writes of the step (POSTs of new services, PUTs of resized ones), start to last answer.</summary>
    public double? PostSeconds { get; set; }
    public int Writes { get; set; }
    /// <summary>From the last write's answer until every service's READY replicas are all in the load balancer's routes.</summary>
    public double? ConvergeSeconds { get; set; }
    public List<double> FailureSeconds { get; } = [];
    public int FailureTimeouts { get; set; }
    public List<double> WriteSeconds { get; } = [];
    public int WriteTimeouts { get; set; }
    public double? ListP50Ms { get; set; }
    public double? ListP99Ms { get; set; }
    public bool? ListPaged { get; set; }
    public double? ControllerCpuShare { get; set; }
    public double? ControllerRssMb { get; set; }
    public double? LoadBalancerCpuShare { get; set; }
    public double? LoadBalancerRssMb { get; set; }
    public double? DatabaseMb { get; set; }
    /// <summary>How often the load balancer's routes were read while timing (the figures' resolution).</summary>
    public int PollMs { get; set; }
    public List<string> Notes { get; } = [];

    public string Note => string.Join("; ", Notes);

    public static double? Median(IReadOnlyList<double> values) => Percentile(values, 0.5);

    /// <summary>Nearest-rank percentile (p in 0..1), null for no values.</summary>
    public static double? Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
            return null;
        var sorted = values.Order().ToList();
        if (p == 0.5 && sorted.Count % 2 == 0)
            return (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
