namespace SkyServe.Core.Catalog;

/// <summary>
/// One instance type in one zone, with its accelerators, size and hourly prices (USD). This is the unit that
/// placement works in: a replica is launched as one offering, on demand or as spot.
/// </summary>
/// <param name="AcceleratorName">SkyPilot accelerator name (T4, L4, A10G, A100-80GB, ...); null for CPU-only types.</param>
/// <param name="AcceleratorCount">GPUs per instance; 0 for CPU-only types.</param>
/// <param name="GpuMemoryGiB">Nominal memory of one GPU; 0 for CPU-only types.</param>
/// <param name="SpotPerHour">Typical spot price; null where the type is not sold as spot in this zone.</param>
public sealed record InstanceOffering(
    string Cloud,
    string Region,
    string Zone,
    string InstanceType,
    string? AcceleratorName,
    int AcceleratorCount,
    double GpuMemoryGiB,
    double VCpus,
    double MemoryGiB,
    decimal OnDemandPerHour,
    decimal? SpotPerHour)
{
    /// <summary>The GPUs are attached to a general-purpose VM when launched (GCP N1 guestAccelerators), not built in.</summary>
    public bool AttachedAccelerator { get; init; }

    /// <summary>For a simulated (local) offering, the real catalog entry it takes its prices from, as <c>cloud/type</c>.</summary>
    public string? StandsFor { get; init; }

    public bool HasSpot => SpotPerHour is not null;

    public bool IsCpuOnly => AcceleratorName is null;

    public double TotalGpuMemoryGiB => GpuMemoryGiB * AcceleratorCount;

    /// <summary>The price for the given market, or null when the offering is not sold that way.</summary>
    public decimal? PricePerHour(bool useSpot) => useSpot ? SpotPerHour : OnDemandPerHour;

    /// <summary><c>L4:1</c> style, as SkyPilot writes accelerators; <c>cpu</c> for CPU-only types.</summary>
    public string Accelerators => AcceleratorName is null ? "cpu" : $"{AcceleratorName}:{AcceleratorCount}";

    /// <summary><c>cloud/region/zone</c>, the same form location filters print.</summary>
    public string Location => $"{Cloud}/{Region}/{Zone}";

    public override string ToString() => $"{Cloud}/{InstanceType} ({Accelerators}) in {Region}/{Zone}";
}
