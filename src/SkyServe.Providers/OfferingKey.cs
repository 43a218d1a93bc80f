namespace SkyServe.Providers;

/// <summary>Identifies an offering: where, what, and which market.</summary>
public sealed record OfferingKey(string Cloud, string Region, string Zone, string InstanceType, bool Spot)
{
    public override string ToString() => $"{Cloud}/{Region}/{Zone} {InstanceType} ({(Spot ? "spot" : "on-demand")})";
}
