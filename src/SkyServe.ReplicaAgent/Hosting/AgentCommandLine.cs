using SkyServe.Contracts.Agent;
using SkyServe.Core.Spec;
using System.Globalization;
using System.Net;
using SkyServe.ReplicaAgent.External;
using SkyServe.Inference.Checkpoints;
using SkyServe.Inference.Model;
using SkyServe.ReplicaAgent.Interruption;

namespace SkyServe.ReplicaAgent.Hosting;

/// <summary>
/// Parses the agent's command line. Kept by hand rather than with a parser library because launchers
/// (the Local provider, cloud start-up scripts) depend on this exact surface and on exit code 2 for misuse.
/// </summary>
public static class AgentCommandLine
{
    public const string Usage = """
        Usage: SkyServe.ReplicaAgent --port PORT [options]
          --port PORT                 port to listen on; 0 picks a free one (required)
          --host ADDRESS              IP address to bind (default 127.0.0.1)
          --machine-id ID             this machine's id, reported by /health and the echo (default: host name)
          --readiness-path PATH       readiness probe path; GET, HEAD and POST (default /ready); /health keeps its body
                                      and answers 503 while not ready
          --ready-delay-ms MS         answer 503 on the readiness path for this long after start (default 0)
          --metadata-url URL          base URL of the instance metadata service (http://169.254.169.254 on all three
                                      clouds); enables the interruption watcher
          --metadata-format FORMAT    aws (IMDSv2 spot/instance-action), gcp (instance/preempted and
                                      maintenance-event) or azure (Scheduled Events) (default aws)
          --metadata-poll-ms MS       how often to ask the metadata service (default 1000); after failures in a row
                                      the wait doubles per failure, up to 30 s
          --orphan-exit-after-ms MS   stop the agent (and its engine) once every metadata poll has failed for this
                                      long: its runtime is gone (default 0: never; the local runtime gives 600000)
          --controller-url URL        report an interruption notice to this controller at once
                                      (POST URL/api/v1/agent/notices); /health reports it either way
          --controller-token TOKEN    bearer token for the controller; better: the SKYSERVE_CONTROLLER_TOKEN
                                      environment variable, which the agent reads and then removes
          --drain-timeout-ms MS       on SIGTERM, how long in-flight requests may take to finish (default 10000)
          --model DIR|URL             serve this HF-layout model folder, or the http(s) base URL of one, with the
                                      built-in engine (OpenAI API under /v1); it goes through the model cache
          --model-cache DIR           the checkpoint cache: models fetched and converted once for fast loading
                                      (default $SKYSERVE_MODEL_CACHE, else $XDG_CACHE_HOME/skyserve/models, else
                                      ~/.cache/skyserve/models); "none" reads a local folder in place
          --model-cache-quota-gb N    most GB the cache keeps; least recently used models not in use are evicted (default 100)
          --write-manifest DIR        write DIR/skyserve-manifest.json (sizes, SHA-256) for serving DIR over HTTP, then exit
          --served-model-name NAME    the model id clients name (default: the folder's name)
          --max-batch-size N          most sequences in one running batch (default 32)
          --max-request-bytes N       largest request body the OpenAI API reads; larger ones get 413 (default 4194304)
          --engine cpu|cuda|external  the engine: built-in cpu or cuda (an NVIDIA GPU, through its driver, NVRTC and
                                      cuBLAS; with --model), or external (with --run)
          --gpu-memory-utilization F  with --engine cuda: share of the GPU's memory for weights and KV cache (default 0.9)
          --peak-bandwidth-gbps GBPS  the device's peak memory bandwidth for MBU on /metrics (default: measured
                                      at start-up with a parallel read of 256 MiB)
          --peak-tflops TFLOPS        the device's peak TFLOPS for MFU (default: measured at start-up)
          --run CMD                   external engine: supervise `bash -c CMD` (e.g. vllm serve ...) and forward every
                                      request but /health and /logs to it; the readiness path answers what it answers
          --setup CMD                 with --run: run `bash -c CMD` once first; a marker in the work dir keeps a restarted
                                      agent from running it again; failure makes /health report failed
          --engine-port N             with --run: the port the engine must listen on, given to it as $SKYSERVE_REPLICA_PORT
                                      and $PORT (default 0: a free one)
          --workdir DIR               with --run: working directory of setup and run; engine logs in DIR/.skyserve/
                                      (default: skyserve-agent-MACHINE-ID in the temporary folder)
          --engine-max-restarts N     with --run: exits in a row after which the engine is not started again (default 5)
          --engine-restart-delay-ms MS  with --run: first wait before a restart, doubling up to 30 s (default 1000)
        Setup and run get the agent's environment plus SKYSERVE_REPLICA_PORT and PORT.
        """;

    private delegate AgentOptions Apply(AgentOptions options, string value);

    private static readonly Dictionary<string, Apply> Flags = new(StringComparer.Ordinal)
    {
        [AgentFlags.Port] = (o, v) => o with { Port = Port(v) },
        [AgentFlags.Host] = (o, v) => o with { Host = Address(v) },
        [AgentFlags.MachineId] = (o, v) => o with { MachineId = MachineId(v) },
        [AgentFlags.ReadinessPath] = (o, v) => o with { ReadinessPath = ReadinessPath(v) },
        [AgentFlags.ReadyDelayMs] = (o, v) => o with { ReadyDelay = Milliseconds("--ready-delay-ms", v, allowZero: true) },
        [AgentFlags.MetadataUrl] = (o, v) => o with { MetadataUrl = HttpBaseUrl("--metadata-url", v, "http://169.254.169.254") },
        [AgentFlags.MetadataFormat] = (o, v) => o with { MetadataFormat = Format(v) },
        [AgentFlags.MetadataPollMs] = (o, v) => o with { MetadataPollInterval = Milliseconds("--metadata-poll-ms", v, allowZero: false) },
        [AgentFlags.OrphanExitAfterMs] = (o, v) => o with
        {
            OrphanExitAfter = Milliseconds("--orphan-exit-after-ms", v, allowZero: true) is { } after && after > TimeSpan.Zero ? after : null,
        },
        [AgentFlags.ControllerUrl] = (o, v) => o with { ControllerUrl = HttpBaseUrl("--controller-url", v, "http://10.0.0.2:30580") },
        [AgentFlags.ControllerToken] = (o, v) => o with { ControllerToken = v.Length > 0 && !v.Any(char.IsWhiteSpace) ? v : throw new CommandLineException("--controller-token must be non-empty without spaces") },
        [AgentFlags.DrainTimeoutMs] = (o, v) => o with { DrainTimeout = Milliseconds("--drain-timeout-ms", v, allowZero: true) },
        [AgentFlags.Model] = (o, v) => o with { ModelDirectory = ModelLocation(v) },
        [AgentFlags.ModelCache] = (o, v) => o with { ModelCacheDirectory = v == "none" ? null : NonEmpty("--model-cache", v) },
        [AgentFlags.ModelCacheQuotaGb] = (o, v) => o with { ModelCacheQuotaBytes = QuotaBytes(v) },
        [AgentFlags.ServedModelName] = (o, v) => o with { ServedModelName = v },
        [AgentFlags.MaxBatchSize] = (o, v) => o with { MaxBatchSize = int.TryParse(v, out var n) && n > 0 ? n : throw new CommandLineException($"--max-batch-size must be a positive number, not '{v}'") },
        [AgentFlags.MaxRequestBytes] = (o, v) => o with
        {
            MaxRequestBytes = int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new CommandLineException($"--max-request-bytes must be a whole number of bytes from 1 to {int.MaxValue}, not '{v}'"),
        },
        [AgentFlags.PeakBandwidthGbps] = (o, v) => o with { PeakBandwidthGbps = Positive("--peak-bandwidth-gbps", v) },
        [AgentFlags.PeakTflops] = (o, v) => o with { PeakTflops = Positive("--peak-tflops", v) },
        [AgentFlags.Engine] = (o, v) => v switch
        {
            "cpu" => o with { Engine = ModelEngine.Cpu },
            "cuda" => o with { Engine = ModelEngine.Cuda },
            "external" => o with { External = o.External ?? new ExternalEngineOptions() },
            _ => throw new CommandLineException($"--engine {v} is not an engine; cpu or cuda (with --model) and external (with --run) are"),
        },
        [AgentFlags.GpuMemoryUtilization] = (o, v) => o with
        {
            GpuMemoryUtilization = double.TryParse(v, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var f) && f > 0 && f <= 1
                ? f
                : throw new CommandLineException($"--gpu-memory-utilization must be a number in (0, 1], not '{v}'"),
        },
        [AgentFlags.Run] = (o, v) => External(o, e => e with { Run = Command("--run", v) }),
        [AgentFlags.Setup] = (o, v) => External(o, e => e with { Setup = Command("--setup", v) }),
        [AgentFlags.EnginePort] = (o, v) => External(o, e => e with { Port = Port(v, "--engine-port") }),
        [AgentFlags.Workdir] = (o, v) => External(o, e => e with { WorkDirectory = v.Length > 0 ? v : throw new CommandLineException("--workdir needs a folder") }),
        [AgentFlags.EngineMaxRestarts] = (o, v) => External(o, e => e with
        {
            MaxRestarts = int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new CommandLineException($"--engine-max-restarts must be a whole number, not '{v}'"),
        }),
        [AgentFlags.EngineRestartDelayMs] = (o, v) => External(o, e => e with { RestartDelay = Milliseconds("--engine-restart-delay-ms", v, allowZero: false) }),
    };

    private static AgentOptions External(AgentOptions options, Func<ExternalEngineOptions, ExternalEngineOptions> change) =>
        options with { External = change(options.External ?? new ExternalEngineOptions()) };

    private static string Command(string flag, string value) =>
        !string.IsNullOrWhiteSpace(value) ? value : throw new CommandLineException($"{flag} needs a shell command");

    private static string ModelLocation(string value)
    {
        if (!ModelSource.LooksLikeUrl(value))
            return File.Exists(Path.Combine(value, "config.json"))
                ? value
                : throw new CommandLineException($"--model must be a model folder with config.json, tokenizer.json and *.safetensors, or an http(s) URL of one; '{value}' has no config.json");
        try
        {
            ModelSource.Parse(value);
            return value;
        }
        catch (CheckpointException e)
        {
            throw new CommandLineException($"--model: {e.Message}");
        }
    }

    private static string NonEmpty(string flag, string value) =>
        value.Length > 0 ? value : throw new CommandLineException($"{flag} needs a non-empty value");

    private static long QuotaBytes(string value) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var gigabytes) && gigabytes > 0 && gigabytes < 1e9
            ? (long)(gigabytes * 1e9)
            : throw new CommandLineException($"--model-cache-quota-gb must be a positive number of GB, not '{value}'");

    /// <summary>The folder of <c>--write-manifest DIR</c> when that is the whole command line, else null.</summary>
    public static string? ManifestRequest(IReadOnlyList<string> args) => args switch
    {
        ["--write-manifest", var directory] => directory,
        [var single] when single.StartsWith("--write-manifest=", StringComparison.Ordinal) => single["--write-manifest=".Length..],
        _ => null,
    };

    public static bool IsHelpRequest(IReadOnlyList<string> args) => args is ["--help"] or ["-h"];

    /// <summary>Reads <c>--flag value</c> and <c>--flag=value</c> pairs; throws <see cref="CommandLineException"/> on misuse.</summary>
    public static AgentOptions Parse(IReadOnlyList<string> args)
    {
        var options = new AgentOptions { Port = 0 };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var (flag, value) = SplitInlineValue(args[i]);
            if (!Flags.TryGetValue(flag, out var apply))
                throw new CommandLineException(flag.StartsWith('-') ? $"unknown option {flag}" : $"unexpected argument '{flag}'");
            if (!seen.Add(flag))
                throw new CommandLineException($"{flag} is given more than once");
            if (value is null)
            {
                if (i + 1 >= args.Count)
                    throw new CommandLineException($"{flag} needs a value");
                value = args[++i];
            }
            options = apply(options, value);
        }
        if (!seen.Contains("--port"))
            throw new CommandLineException("--port is required (0 picks a free port)");
        if (options.External is { Run: null })
            throw new CommandLineException("--setup, --engine-port, --workdir, --engine-max-restarts, --engine-restart-delay-ms and --engine external go with --run");
        if (options.Engine == ModelEngine.Cuda && options.ModelDirectory is null)
            throw new CommandLineException("--engine cuda serves a model: give --model");
        if (seen.Contains("--gpu-memory-utilization") && options.Engine != ModelEngine.Cuda)
            throw new CommandLineException("--gpu-memory-utilization goes with --engine cuda");
        if (options.External is not null && options.ModelDirectory is not null)
            throw new CommandLineException("--model (the built-in engine) and --run (an external engine) cannot be used together");
        if (options.OrphanExitAfter is not null && options.MetadataUrl is null)
            throw new CommandLineException("--orphan-exit-after-ms goes with --metadata-url: it is the metadata service that stops answering");
        if (!seen.Contains("--model-cache"))
            options = options with { ModelCacheDirectory = CheckpointCache.DefaultRoot() };
        if (options.ModelCacheDirectory is null && options.ModelDirectory is { } model && ModelSource.LooksLikeUrl(model))
            throw new CommandLineException("--model with a URL needs a model cache; drop --model-cache none");
        return options;
    }

    private static (string Flag, string? Value) SplitInlineValue(string arg)
    {
        var equals = arg.IndexOf('=');
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }

    private static int Port(string value, string flag = "--port") =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= IPEndPoint.MaxPort
            ? port
            : throw new CommandLineException($"{flag} must be a number from 0 to {IPEndPoint.MaxPort}, not '{value}'");

    private static IPAddress Address(string value) =>
        IPAddress.TryParse(value, out var address)
            ? address
            : throw new CommandLineException($"--host must be an IP address such as 127.0.0.1 or 0.0.0.0, not '{value}'");

    private static string MachineId(string value) =>
        value.Length > 0 && !value.Any(char.IsWhiteSpace) && !value.Any(char.IsControl)
            ? value
            : throw new CommandLineException($"--machine-id must be non-empty without spaces, not '{value}'");

    private static string ReadinessPath(string value)
    {
        if (!value.StartsWith('/') || value.Contains('?') || value.Contains('#') || value.Any(char.IsWhiteSpace))
            throw new CommandLineException($"--readiness-path must be a path starting with '/', not '{value}'");
        if (string.Equals(value.TrimEnd('/'), "/metrics", StringComparison.OrdinalIgnoreCase))
            throw new CommandLineException("--readiness-path cannot be /metrics, which serves the metrics");
        return value;
    }

    private static double Positive(string flag, string value) =>
        double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) && number > 0 && double.IsFinite(number)
            ? number
            : throw new CommandLineException($"{flag} must be a number above 0, not '{value}'");

    private static TimeSpan Milliseconds(string flag, string value, bool allowZero) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && (allowZero || ms > 0)
            ? TimeSpan.FromMilliseconds(ms)
            : throw new CommandLineException($"{flag} must be a whole number of milliseconds{(allowZero ? "" : " above 0")}, not '{value}'");

    private static Uri HttpBaseUrl(string flag, string value, string example) =>
        Uri.TryCreate(value, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)
            && string.IsNullOrEmpty(url.Query) && string.IsNullOrEmpty(url.Fragment)
            ? url
            : throw new CommandLineException($"{flag} must be an http(s) base URL such as {example}, not '{value}'");

    private static MetadataFormat Format(string value) => value.ToLowerInvariant() switch
    {
        "aws" => MetadataFormat.Aws,
        "gcp" => MetadataFormat.Gcp,
        "azure" => MetadataFormat.Azure,
        _ => throw new CommandLineException($"--metadata-format must be aws, gcp or azure, not '{value}'"),
    };
}
