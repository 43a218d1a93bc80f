namespace SkyServe.Core.Simulation;

/// <summary>When SpotHedge makes every location ACTIVE again.</summary>
public enum ResetRule
{
    /// <summary>The SpotHedge artifact's: once at most <c>min(1, Z − 3)</c> locations are ACTIVE (<see cref="Policies.SpotHedge.ArtifactResetThreshold"/>).</summary>
    Artifact,

    /// <summary>The paper's and SkyPilot's: once fewer than 2 are ACTIVE (<see cref="Policies.SpotHedge.DefaultResetThreshold"/>).</summary>
    SkyPilot,
}
