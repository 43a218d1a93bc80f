namespace SkyServe.Providers.Docker;

/// <summary>A zone's spot capacity: a trace (the format of shared/traces) or the seeded random process up to <see cref="MaxSpot"/>.</summary>
public sealed record DockerZoneSpotOptions
{
    /// <summary>A spot trace file, relative to the config folder.</summary>
    public string? Trace { get; init; }

    /// <summary>Where in the trace to start, in trace hours.</summary>
    public double TraceOffsetHours { get; init; }

    /// <summary>Most spot containers the random process allows (zones without a trace).</summary>
    public int MaxSpot { get; init; } = 4;
}
