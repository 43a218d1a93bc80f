namespace SkyServe.Contracts.Agent;

/// <summary>
/// The ReplicaAgent's command-line flags: the agent parses exactly these, and every launcher (the local runtime, the
/// cloud boot scripts, AWS user data) writes them from here. The agent's usage text says what each does.
/// </summary>
public static class AgentFlags
{
    public const string ControllerToken = "--controller-token";
    public const string ControllerUrl = "--controller-url";
    public const string DrainTimeoutMs = "--drain-timeout-ms";
    public const string Engine = "--engine";
    public const string EngineMaxRestarts = "--engine-max-restarts";
    public const string EnginePort = "--engine-port";
    public const string EngineRestartDelayMs = "--engine-restart-delay-ms";
    public const string GpuMemoryUtilization = "--gpu-memory-utilization";
    public const string Home = "--home";
    public const string Host = "--host";
    public const string MachineId = "--machine-id";
    public const string MaxBatchSize = "--max-batch-size";
    public const string MaxRequestBytes = "--max-request-bytes";
    public const string MetadataFormat = "--metadata-format";
    public const string MetadataPollMs = "--metadata-poll-ms";
    public const string MetadataUrl = "--metadata-url";
    public const string Model = "--model";
    public const string NumNodes = "--num-nodes";
    public const string ModelCache = "--model-cache";
    public const string ModelCacheQuotaGb = "--model-cache-quota-gb";
    public const string OrphanExitAfterMs = "--orphan-exit-after-ms";
    public const string PeakBandwidthGbps = "--peak-bandwidth-gbps";
    public const string PeakTflops = "--peak-tflops";
    public const string Port = "--port";
    public const string ReadinessPath = "--readiness-path";
    public const string ReadyDelayMs = "--ready-delay-ms";
    public const string Run = "--run";
    public const string ServedModelName = "--served-model-name";
    public const string Setup = "--setup";
    public const string TaskFiles = "--task-files";
    public const string Workdir = "--workdir";
    public const string WriteManifest = "--write-manifest";
}

/// <summary>Values of <see cref="AgentFlags.MetadataFormat"/>: whose metadata service the agent watches.</summary>
public static class MetadataFormats
{
    public const string Aws = "aws";
    public const string Gcp = "gcp";
    public const string Azure = "azure";
}

/// <summary>Values of <see cref="AgentFlags.Engine"/>.</summary>
public static class EngineNames
{
    public const string Cpu = "cpu";
    public const string Cuda = "cuda";
    public const string External = "external";
}
