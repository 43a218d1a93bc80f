namespace SkyServe.Core.Spec;

/// <summary>Where new spot replicas go (<c>service.replica_policy.spot_placer</c>); requires <c>use_spot: true</c>.</summary>
public enum SpotPlacer
{
    /// <summary><c>dynamic_fallback</c>: SkyPilot's SpotHedge placer (paper Algorithm 1).</summary>
    DynamicFallback,
    /// <summary><c>hedge_plus</c>: this project's extension (notice-aware, weighted zones, checkpoint locality).</summary>
    HedgePlus,
}
