namespace SkyServe.Providers.Local;

/// <summary>
/// The local runtime's zone file (config/local-zones.yaml): the simulated zones, where each one's spot
/// capacity comes from, and how fast simulated time runs. Keys are snake_case in the file.
/// </summary>
public sealed class LocalZonesFile
{
    /// <summary>Simulated seconds per real second (60: one trace hour per minute).</summary>
    public double TimeCompression { get; set; } = 1;
    /// <summary>Interruption notice lead, in simulated seconds.</summary>
    public double NoticeSeconds { get; set; } = 120;
    /// <summary>Real seconds from a launch to the agent process starting.</summary>
    public double ProvisioningSeconds { get; set; } = 3;
    /// <summary>Seed of the random capacity process (zones without a trace).</summary>
    public int Seed { get; set; } = 1;
    public List<LocalZoneEntry> Zones { get; set; } = [];
}

public sealed class LocalZoneEntry
{
    /// <summary>cloud/region/zone, e.g. aws/us-east-1/us-east-1a.</summary>
    public string Infra { get; set; } = "";
    /// <summary>Most spot machines the random process ever allows (zones without a trace).</summary>
    public int MaxSpot { get; set; } = 4;
    /// <summary>A spot trace in the format of shared/traces, relative to the zone file.</summary>
    public string? Trace { get; set; }
    /// <summary>Where in the trace to start, in trace hours.</summary>
    public double TraceOffsetHours { get; set; }
}
