namespace SkyServe.Core.Spec;

/// <summary>
/// How many replicas run and of what kind (<c>service.replica_policy</c>, or <c>service.replicas: N</c> which
/// means min = max = N). Every default is applied.
/// </summary>
public sealed record ReplicaPolicySpec
{
    public static ReplicaPolicySpec Default { get; } = new();

    /// <summary>0 means scale to zero.</summary>
    public int MinReplicas { get; init; } = SpecDefaults.MinReplicas;

    /// <summary>Equals <see cref="MinReplicas"/> unless autoscaling is on.</summary>
    public int MaxReplicas { get; init; } = SpecDefaults.MinReplicas;

    /// <summary>Null when autoscaling is off (then min = max).</summary>
    public TargetQps? TargetQpsPerReplica { get; init; }

    public int UpscaleDelaySeconds { get; init; } = SpecDefaults.UpscaleDelaySeconds;

    public int DownscaleDelaySeconds { get; init; } = SpecDefaults.DownscaleDelaySeconds;

    /// <summary>SpotHedge's N_extra: spot replicas launched beyond the target as a hedge.</summary>
    public int NumOverprovision { get; init; } = SpecDefaults.NumOverprovision;

    public int BaseOndemandFallbackReplicas { get; init; } = SpecDefaults.BaseOndemandFallbackReplicas;

    public bool DynamicOndemandFallback { get; init; } = SpecDefaults.DynamicOndemandFallback;

    /// <summary>Null: no placement policy was asked for.</summary>
    public SpotPlacer? SpotPlacer { get; init; }

    public bool AutoscalingEnabled => TargetQpsPerReplica is not null;

    /// <summary>SkyPilot's <c>use_ondemand_fallback</c>: on-demand replicas may stand in for missing spot ones.</summary>
    public bool UsesOndemandFallback => DynamicOndemandFallback || BaseOndemandFallbackReplicas > 0;
}
