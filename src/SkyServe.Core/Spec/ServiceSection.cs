namespace SkyServe.Core.Spec;

/// <summary>The <c>service:</c> section: probing, scaling, load balancing and the endpoint, with defaults applied.</summary>
public sealed record ServiceSection
{
    public static ServiceSection Default { get; } = new();

    public ReadinessProbeSpec ReadinessProbe { get; init; } = ReadinessProbeSpec.Default;

    public ReplicaPolicySpec ReplicaPolicy { get; init; } = ReplicaPolicySpec.Default;

    /// <summary>True when the spec said <c>replicas: N</c> instead of a <c>replica_policy</c>.</summary>
    public bool FixedReplicas { get; init; }

    public LoadBalancingPolicy LoadBalancingPolicy { get; init; } = SpecDefaults.LoadBalancing;

    /// <summary>The replica port the load balancer talks to, when the spec names it here (see <see cref="ServiceSpec.ReplicaPort"/>).</summary>
    public int? Ports { get; init; }

    public TlsSpec? Tls { get; init; }
}
