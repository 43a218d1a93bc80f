namespace SkyServe.Core.Policies;

/// <summary>SpotHedge's binary view of a location (paper Algorithm 1).</summary>
public enum LocationStatus
{
    Active,
    Preempted,
}
