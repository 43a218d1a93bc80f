namespace SkyServe.Core.Spec;

/// <summary>
/// Values applied when a spec leaves a key out. They are SkyPilot's (sky/serve/constants.py and
/// sky/serve/service_spec.py) unless marked as this project's own.
/// </summary>
public static class SpecDefaults
{
    public const string ReadinessPath = "/";
    public const int InitialDelaySeconds = 1200;
    public const int ReadinessTimeoutSeconds = 15;
    public const int MinReplicas = 1;
    public const int UpscaleDelaySeconds = 300;
    public const int DownscaleDelaySeconds = 1200;
    /// <summary>SkyPilot's autoscaler adds nothing when <c>num_overprovision</c> is unset.</summary>
    public const int NumOverprovision = 0;
    public const int BaseOndemandFallbackReplicas = 0;
    public const bool DynamicOndemandFallback = false;
    public const LoadBalancingPolicy LoadBalancing = LoadBalancingPolicy.LeastLoad;
    /// <summary>SkyPilot's default disk size for a launched machine.</summary>
    public const int DiskSizeGb = 256;

    /// <summary>This project's: the port the built-in engine listens on when a <c>model:</c> spec names none.</summary>
    public const int ModelServingPort = 8080;
    /// <summary>This project's: the built-in engine's batch limit when <c>model.max_batch_size</c> is unset.</summary>
    public const int ModelMaxBatchSize = 32;
    /// <summary>This project's: the built-in engine runs on CPU unless the spec asks for CUDA.</summary>
    public const ModelEngine ModelEngineKind = ModelEngine.Cpu;
}
