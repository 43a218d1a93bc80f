namespace SkyServe.Core.Spec;

/// <summary>
/// This project's bounds on spec values (SkyPilot sets none): wide enough for any real service, narrow enough that a
/// typo or a hostile spec cannot make the controller chase a million machines or divide by a denormal. A value
/// outside them is refused with its key path, line and column. The README's spec table and
/// config/service-spec.schema.json list the same numbers (SchemaTests checks the schema).
/// </summary>
public static class SpecLimits
{
    /// <summary><c>replicas</c>, <c>min_replicas</c>, <c>max_replicas</c> and <c>base_ondemand_fallback_replicas</c>:
    /// the last is a replica count too, and an all-on-demand base for a large service is legitimate.</summary>
    public const int MaxReplicas = 1000;

    /// <summary><c>num_overprovision</c>: SpotHedge's extra spot replicas, a handful in practice.</summary>
    public const int MaxOverprovision = 100;

    /// <summary><c>target_qps_per_replica</c> (and each per-accelerator value): one request in about 17 minutes ...</summary>
    public const double MinTargetQpsPerReplica = 0.001;

    /// <summary>... to a million a second per replica.</summary>
    public const double MaxTargetQpsPerReplica = 1_000_000;

    /// <summary><c>upscale_delay_seconds</c> and <c>downscale_delay_seconds</c>: a week.</summary>
    public const int MaxScaleDelaySeconds = 7 * 24 * 60 * 60;

    /// <summary><c>readiness_probe.initial_delay_seconds</c>: a day, room for downloading and loading a large model.</summary>
    public const int MaxInitialDelaySeconds = 24 * 60 * 60;

    /// <summary><c>readiness_probe.timeout_seconds</c>: an hour for one probe request.</summary>
    public const int MaxReadinessTimeoutSeconds = 60 * 60;

    /// <summary><c>service.ports</c> and <c>resources.ports</c>.</summary>
    public const int MinPort = 1;

    public const int MaxPort = 65535;

    /// <summary>The count in <c>resources.accelerators</c> (<c>A100:4</c>).</summary>
    public const int MaxAcceleratorCount = 1024;

    /// <summary><c>model.max_batch_size</c>.</summary>
    public const int MaxModelBatchSize = 4096;
}
