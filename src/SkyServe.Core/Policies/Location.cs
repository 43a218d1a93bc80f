namespace SkyServe.Core.Policies;

/// <summary>A failure domain a replica runs in: cloud, region and zone.</summary>
public sealed record Location(string Cloud, string Region, string Zone)
{
    public override string ToString() => $"{Cloud}/{Region}/{Zone}";
}
