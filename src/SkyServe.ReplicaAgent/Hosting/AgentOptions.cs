using SkyServe.Core.Spec;
using System.Net;
using SkyServe.ReplicaAgent.External;
using SkyServe.ReplicaAgent.Interruption;

namespace SkyServe.ReplicaAgent.Hosting;

/// <summary>Everything the agent is told on its command line (see <see cref="AgentCommandLine"/>).</summary>
public sealed record AgentOptions
{
    public const string DefaultReadinessPath = "/ready";

    /// <summary>Port to bind; 0 lets the system pick a free one (the listening line reports it).</summary>
    public required int Port { get; init; }

    /// <summary>The one address bound; a replica machine binds 0.0.0.0 so the controller can reach it.</summary>
    public IPAddress Host { get; init; } = IPAddress.Loopback;

    public string MachineId { get; init; } = Environment.MachineName;

    /// <summary>The spec's readiness probe path, e.g. /v1/models; GET, HEAD and POST all answer.</summary>
    public string ReadinessPath { get; init; } = DefaultReadinessPath;

    /// <summary>Simulated model loading: readiness answers 503 until this much time has passed since start.</summary>
    public TimeSpan ReadyDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Base URL of the instance metadata service; null means no interruption watcher.</summary>
    public Uri? MetadataUrl { get; init; }

    public MetadataFormat MetadataFormat { get; init; } = MetadataFormat.Aws;

    public TimeSpan MetadataPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Stop the agent once every metadata poll has failed for this long (an orphan of a runtime that is gone);
    /// null: never, the default, since a cloud's metadata service does not go away.
    /// </summary>
    public TimeSpan? OrphanExitAfter { get; init; }

    /// <summary>The controller's base URL; a notice is POSTed to its api/v1/agent/notices at once. Null: only /health tells.</summary>
    public Uri? ControllerUrl { get; init; }

    /// <summary>The bearer token for the controller (the per-replica token it gave at launch).</summary>
    public string? ControllerToken { get; init; }

    /// <summary>How long in-flight requests may take to finish after SIGTERM (the host's ShutdownTimeout).</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A model folder (HF layout), or the http(s) URL of one, for the built-in engine; without one the agent only echoes.</summary>
    public string? ModelDirectory { get; init; }

    /// <summary>
    /// The checkpoint cache's folder; null reads a local model folder in place (and refuses URLs). The command line
    /// defaults it to <see cref="Inference.Checkpoints.CheckpointCache.DefaultRoot"/>.
    /// </summary>
    public string? ModelCacheDirectory { get; init; }

    /// <summary>Most bytes the checkpoint cache keeps (--model-cache-quota-gb).</summary>
    public long ModelCacheQuotaBytes { get; init; } = DefaultModelCacheQuotaBytes;

    public const long DefaultModelCacheQuotaBytes = 100_000_000_000;

    /// <summary>The model id clients name; the folder's name by default.</summary>
    public string? ServedModelName { get; init; }

    /// <summary>The built-in engine that serves <see cref="ModelDirectory"/>: cpu, or cuda on an NVIDIA GPU.</summary>
    public ModelEngine Engine { get; init; } = ModelEngine.Cpu;

    /// <summary>With the cuda engine: the share of the GPU's memory for weights and KV cache.</summary>
    public double GpuMemoryUtilization { get; init; } = 0.9;

    /// <summary>Most sequences in one running batch.</summary>
    public int MaxBatchSize { get; init; } = 32;

    /// <summary>The largest request body the OpenAI endpoints read (--max-request-bytes); larger ones are refused with 413.</summary>
    public int MaxRequestBytes { get; init; } = DefaultMaxRequestBytes;

    public const int DefaultMaxRequestBytes = 4 * 1024 * 1024;

    /// <summary>The device's peak memory bandwidth in GB/s (10^9 bytes) for MBU; null: measured at start-up.</summary>
    public double? PeakBandwidthGbps { get; init; }

    /// <summary>The device's peak TFLOPS for MFU; null: measured at start-up.</summary>
    public double? PeakTflops { get; init; }

    /// <summary>
    /// With the built-in engine: the spec's workdir and file mounts, put in place before the model loads
    /// (<see cref="ModelFilesStaging"/>); null: none. The external engine has its own (<see cref="ExternalEngineOptions.Files"/>).
    /// </summary>
    public Contracts.Agent.TaskFiles? Files { get; init; }

    /// <summary>With <see cref="Files"/>: the machine's home, <c>~</c> of the workdir and mount targets; null: the user's.</summary>
    public string? Home { get; init; }

    /// <summary>The external engine mode (<c>--run</c>): supervise the spec's run command and forward to it; null otherwise.</summary>
    public ExternalEngineOptions? External { get; init; }
}
