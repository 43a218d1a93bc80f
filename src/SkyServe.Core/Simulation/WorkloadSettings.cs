namespace SkyServe.Core.Simulation;

/// <summary>
/// The request model behind the latency figures (traces/README.md, "Latency"): Poisson arrivals from a few clients that
/// each send round-robin to the READY replicas, or a replayed list of arrival times.
/// </summary>
public sealed record WorkloadSettings
{
    /// <summary>All clients together (the paper: 0.15 req/s from three clients).</summary>
    public double RequestsPerSecond { get; init; } = 0.15;

    /// <summary>Clients, each with its own Poisson stream and round-robin cursor.</summary>
    public int Clients { get; init; } = 3;

    /// <summary>Mean of the exponential service time of one request.</summary>
    public double MeanServiceSeconds { get; init; } = 10;

    /// <summary>A request that finds no replica, waits longer than this, or is queued on a replica that goes away fails and counts at this latency.</summary>
    public double TimeoutSeconds { get; init; } = 100;

    /// <summary>
    /// The SpotHedge artifact's quirk: its first two clients are both seeded 0, so they send the same arrival times
    /// (requests come in pairs to the same replica). Off by default; on, the latency figures match the artifact's.
    /// </summary>
    public bool DuplicateFirstClient { get; init; }

    /// <summary>Replayed arrivals (seconds from the start of the measured period, one client) instead of Poisson ones; null: Poisson.</summary>
    public IReadOnlyList<double>? ArrivalTimes { get; init; }
}
