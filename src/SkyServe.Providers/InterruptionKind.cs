namespace SkyServe.Providers;

public enum InterruptionKind
{
    /// <summary>A spot machine reclaimed for capacity.</summary>
    SpotPreemption,
    /// <summary>Planned maintenance or a host event that will stop the machine.</summary>
    Maintenance,
}
