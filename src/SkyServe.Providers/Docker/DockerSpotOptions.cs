namespace SkyServe.Providers.Docker;

/// <summary>The simulated spot market's clock and notices, shared by its zones (as in config/local-zones.yaml).</summary>
public sealed record DockerSpotOptions
{
    /// <summary>Simulated seconds per real second (60 plays one trace hour per minute).</summary>
    public double TimeCompression { get; init; } = 1;

    /// <summary>Lead time of a notice, in simulated time (AWS gives 2 minutes).</summary>
    public TimeSpan NoticeLead { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Seed of the random capacity process (zones with MaxSpot and no trace).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>How often the market looks at capacity (real time); zero: only when <see cref="DockerCloudProvider.StepMarketAsync"/> is called.</summary>
    public TimeSpan MarketInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The loopback port of the metadata endpoint (AWS IMDSv2 format) that agents on a host reached at a loopback
    /// address poll for their notice; 0: any free port. A fixed one lets agents find a restarted controller's endpoint.
    /// </summary>
    public int MetadataPort { get; init; }

    /// <summary>The real duration of a simulated span.</summary>
    public TimeSpan ToReal(TimeSpan simulated) => simulated / TimeCompression;
}
