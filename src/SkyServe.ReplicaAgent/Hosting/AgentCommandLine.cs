using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using SkyServe.Contracts.Agent;
using SkyServe.Core.Spec;
using SkyServe.ReplicaAgent.External;
using SkyServe.Inference.Checkpoints;
using SkyServe.Inference.Model;
using SkyServe.ReplicaAgent.Interruption;

namespace SkyServe.ReplicaAgent.Hosting;

/// <summary>
/// The agent's command line, read with System.CommandLine. Launchers (the Local provider, the cloud start-up scripts)
/// write these flags from <see cref="AgentFlags"/> and rely on their surface: `--flag value` or `--flag=value`, each
/// flag at most once, and for misuse one message (a <see cref="CommandLineException"/>) that AgentProgram turns into
/// exit code 2 with <see cref="Usage"/>.
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
          --task-files JSON           with --run or --model (or $SKYSERVE_TASK_FILES, read and removed): the spec's
                                      workdir and file_mounts, put in place before setup or before the model loads
                                      (/health says so meanwhile): the workdir in ~/sky_workdir (setup and run then
                                      execute there; a relative --model is found there), each mount at its target;
                                      uploaded archives come from --controller-url by digest, remote sources (https,
                                      s3, r2, gs, Azure blob) with the machine's credentials
          --home DIR                  with --run or --task-files: the machine's home (~ of the workdir and mount
                                      targets, and $HOME of setup and run; default: the user's)
          --engine-max-restarts N     with --run: exits in a row after which the engine is not started again (default 5)
          --engine-restart-delay-ms MS  with --run: first wait before a restart, doubling up to 30 s (default 1000)
          --num-nodes N               with --run: the nodes of this agent's replica (1 to 64, default 1); above 1, the
                                      agent asks --controller-url for their addresses before setup
        Setup and run get the agent's environment plus SKYSERVE_REPLICA_PORT and PORT, and SKYPILOT_NODE_IPS and
        SKYPILOT_SETUP_NODE_IPS: the nodes' addresses, head first, one a line (this machine's alone for one node).
        """;

    private static readonly Option<int?> Port = Flag<int?>(AgentFlags.Port, v => PortNumber(AgentFlags.Port, v));
    private static readonly Option<IPAddress?> Host = Flag<IPAddress?>(AgentFlags.Host, Address);
    private static readonly Option<string?> MachineId = Flag<string?>(AgentFlags.MachineId, MachineIdValue);
    private static readonly Option<string?> ReadinessPath = Flag<string?>(AgentFlags.ReadinessPath, ReadinessPathValue);
    private static readonly Option<TimeSpan?> ReadyDelayMs = Flag<TimeSpan?>(AgentFlags.ReadyDelayMs, v => Milliseconds(AgentFlags.ReadyDelayMs, v, allowZero: true));
    private static readonly Option<Uri?> MetadataUrl = Flag<Uri?>(AgentFlags.MetadataUrl, v => HttpBaseUrl(AgentFlags.MetadataUrl, v, "http://169.254.169.254"));
    private static readonly Option<MetadataFormat?> MetadataFormatFlag = Flag<MetadataFormat?>(AgentFlags.MetadataFormat, v => Format(v));
    private static readonly Option<TimeSpan?> MetadataPollMs = Flag<TimeSpan?>(AgentFlags.MetadataPollMs, v => Milliseconds(AgentFlags.MetadataPollMs, v, allowZero: false));
    private static readonly Option<TimeSpan?> OrphanExitAfterMs = Flag<TimeSpan?>(AgentFlags.OrphanExitAfterMs, v => Milliseconds(AgentFlags.OrphanExitAfterMs, v, allowZero: true));
    private static readonly Option<Uri?> ControllerUrl = Flag<Uri?>(AgentFlags.ControllerUrl, v => HttpBaseUrl(AgentFlags.ControllerUrl, v, "http://10.0.0.2:30580"));
    private static readonly Option<string?> ControllerToken = Flag<string?>(AgentFlags.ControllerToken, v =>
        v.Length > 0 && !v.Any(char.IsWhiteSpace) ? v : throw new CommandLineException($"{AgentFlags.ControllerToken} must be non-empty without spaces"));
    private static readonly Option<TimeSpan?> DrainTimeoutMs = Flag<TimeSpan?>(AgentFlags.DrainTimeoutMs, v => Milliseconds(AgentFlags.DrainTimeoutMs, v, allowZero: true));
    private static readonly Option<string?> Model = Flag<string?>(AgentFlags.Model, ModelLocation);
    private const string NoModelCache = "none";
    private static readonly Option<string?> ModelCache = Flag<string?>(AgentFlags.ModelCache, v => v == NoModelCache ? v : NonEmpty(AgentFlags.ModelCache, v));
    private static readonly Option<long?> ModelCacheQuotaGb = Flag<long?>(AgentFlags.ModelCacheQuotaGb, v => QuotaBytes(v));
    private static readonly Option<string?> ServedModelName = Flag<string?>(AgentFlags.ServedModelName, v => v);
    private static readonly Option<int?> MaxBatchSize = Flag<int?>(AgentFlags.MaxBatchSize, v =>
        int.TryParse(v, out var n) && n > 0 ? n : throw new CommandLineException($"{AgentFlags.MaxBatchSize} must be a positive number, not '{v}'"));
    private static readonly Option<int?> MaxRequestBytes = Flag<int?>(AgentFlags.MaxRequestBytes, v =>
        int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new CommandLineException($"{AgentFlags.MaxRequestBytes} must be a whole number of bytes from 1 to {int.MaxValue}, not '{v}'"));
    private static readonly Option<double?> PeakBandwidthGbps = Flag<double?>(AgentFlags.PeakBandwidthGbps, v => Positive(AgentFlags.PeakBandwidthGbps, v));
    private static readonly Option<double?> PeakTflops = Flag<double?>(AgentFlags.PeakTflops, v => Positive(AgentFlags.PeakTflops, v));
    private static readonly Option<string?> Engine = Flag<string?>(AgentFlags.Engine, v => v is EngineNames.Cpu or EngineNames.Cuda or EngineNames.External
        ? v
        : throw new CommandLineException($"{AgentFlags.Engine} {v} is not an engine; cpu or cuda (with --model) and external (with --run) are"));
    private static readonly Option<double?> GpuMemoryUtilization = Flag<double?>(AgentFlags.GpuMemoryUtilization, v =>
        double.TryParse(v, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var f) && f > 0 && f <= 1
            ? f
            : throw new CommandLineException($"{AgentFlags.GpuMemoryUtilization} must be a number in (0, 1], not '{v}'"));
    private static readonly Option<string?> Run = Flag<string?>(AgentFlags.Run, v => ShellCommand(AgentFlags.Run, v));
    private static readonly Option<string?> Setup = Flag<string?>(AgentFlags.Setup, v => ShellCommand(AgentFlags.Setup, v));
    private static readonly Option<int?> EnginePort = Flag<int?>(AgentFlags.EnginePort, v => PortNumber(AgentFlags.EnginePort, v));
    private static readonly Option<string?> Workdir = Flag<string?>(AgentFlags.Workdir, v =>
        v.Length > 0 ? v : throw new CommandLineException($"{AgentFlags.Workdir} needs a folder"));
    private static readonly Option<TaskFiles?> TaskFilesFlag = Flag<TaskFiles?>(AgentFlags.TaskFiles, TaskFilesValue);
    private static readonly Option<string?> Home = Flag<string?>(AgentFlags.Home, v =>
        v.Length > 0 ? v : throw new CommandLineException($"{AgentFlags.Home} needs a folder"));
    private static readonly Option<int?> EngineMaxRestarts = Flag<int?>(AgentFlags.EngineMaxRestarts, v =>
        int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new CommandLineException($"{AgentFlags.EngineMaxRestarts} must be a whole number, not '{v}'"));
    private static readonly Option<TimeSpan?> EngineRestartDelayMs = Flag<TimeSpan?>(AgentFlags.EngineRestartDelayMs, v => Milliseconds(AgentFlags.EngineRestartDelayMs, v, allowZero: false));
    private const int MaxNumNodes = 64; // the spec's bound on num_nodes
    private static readonly Option<int?> NumNodes = Flag<int?>(AgentFlags.NumNodes, v =>
        int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= MaxNumNodes
            ? n
            : throw new CommandLineException($"{AgentFlags.NumNodes} must be a whole number from 1 to {MaxNumNodes}, not '{v}'"));

    /// <summary>The flags of the external engine mode: any of them (or <c>--engine external</c>) asks for it.</summary>
    private static readonly Option[] ExternalFlags = [Run, Setup, EnginePort, Workdir, TaskFilesFlag, Home, EngineMaxRestarts, EngineRestartDelayMs, NumNodes];

    private static readonly RootCommand Command = BuildCommand();

    // As launchers have always had it: flags are matched exactly, @FILE is a value like any other (no response files).
    private static readonly ParserConfiguration Configuration = new() { EnablePosixBundling = false, ResponseFileTokenReplacer = null };

    private static RootCommand BuildCommand()
    {
        var command = new RootCommand("SkyServe replica agent");
        // No built-in --help, -h, -?, --version or [directives]: AgentProgram answers a lone --help or -h with Usage
        // (IsHelpRequest), and anything else that is not one of our flags is a misuse (exit code 2), as it always was.
        command.Options.Clear();
        command.Directives.Clear();
        Option[] flags =
        [
            Port, Host, MachineId, ReadinessPath, ReadyDelayMs, MetadataUrl, MetadataFormatFlag, MetadataPollMs, OrphanExitAfterMs, ControllerUrl,
            ControllerToken, DrainTimeoutMs, Model, ModelCache, ModelCacheQuotaGb, ServedModelName, MaxBatchSize, MaxRequestBytes, PeakBandwidthGbps,
            PeakTflops, Engine, GpuMemoryUtilization, .. ExternalFlags,
        ];
        foreach (var flag in flags)
            command.Options.Add(flag);
        return command;
    }

    /// <summary>
    /// A flag with one value, <c>--flag value</c> or <c>--flag=value</c>, checked by <paramref name="convert"/>: what it
    /// throws as <see cref="CommandLineException"/> becomes the parse error, so each flag keeps its own message.
    /// <paramref name="convert"/> must not return null for a good value (System.CommandLine would then cast the text).
    /// </summary>
    private static Option<T> Flag<T>(string name, Func<string, T> convert) => new(name)
    {
        Arity = ArgumentArity.ZeroOrOne, // a missing value is reported below, in the same words as every other misuse
        CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                result.AddError($"{name} needs a value");
                return default!;
            }
            try
            {
                return convert(result.Tokens[0].Value);
            }
            catch (CommandLineException e)
            {
                result.AddError(e.Message);
                return default!;
            }
        },
    };

    /// <summary>The folder of <c>--write-manifest DIR</c> when that is the whole command line, else null.</summary>
    public static string? ManifestRequest(IReadOnlyList<string> args) => args switch
    {
        [AgentFlags.WriteManifest, var directory] => directory,
        [var single] when single.StartsWith(AgentFlags.WriteManifest + "=", StringComparison.Ordinal) => single[(AgentFlags.WriteManifest.Length + 1)..],
        _ => null,
    };

    public static bool IsHelpRequest(IReadOnlyList<string> args) => args is ["--help"] or ["-h"];

    /// <summary>Reads <c>--flag value</c> and <c>--flag=value</c> pairs; throws <see cref="CommandLineException"/> on misuse.</summary>
    /// <param name="taskFilesFollow">
    /// Task files come from the environment (<see cref="SkyServe.Contracts.Notices.AgentApi.TaskFilesVariable"/>): a local
    /// --model folder may be one of them, so it need not exist yet.
    /// </param>
    public static AgentOptions Parse(IReadOnlyList<string> args, bool taskFilesFollow = false)
    {
        var parsed = Command.Parse(args, Configuration);
        if (Misuse(parsed) is { } misuse)
            throw new CommandLineException(misuse);

        bool Given(Option option) => parsed.GetResult(option) is not null;
        var defaults = new AgentOptions { Port = 0 };
        var engine = parsed.GetValue(Engine);
        // With --model, the task files and the home are the built-in engine's: they do not ask for an external engine.
        var builtIn = Given(Model) && !Given(Run);
        ExternalEngineOptions? external = null;
        if (engine == EngineNames.External || ExternalFlags.Any(flag => Given(flag) && !(builtIn && (flag == TaskFilesFlag || flag == Home))))
        {
            var e = new ExternalEngineOptions();
            external = e with
            {
                Run = parsed.GetValue(Run),
                Setup = parsed.GetValue(Setup),
                Port = parsed.GetValue(EnginePort) ?? e.Port,
                WorkDirectory = parsed.GetValue(Workdir),
                Files = parsed.GetValue(TaskFilesFlag),
                Home = parsed.GetValue(Home),
                MaxRestarts = parsed.GetValue(EngineMaxRestarts) ?? e.MaxRestarts,
                RestartDelay = parsed.GetValue(EngineRestartDelayMs) ?? e.RestartDelay,
                NumNodes = parsed.GetValue(NumNodes) ?? e.NumNodes,
            };
        }
        var options = defaults with
        {
            Port = parsed.GetValue(Port) ?? throw new CommandLineException($"{AgentFlags.Port} is required (0 picks a free port)"),
            Host = parsed.GetValue(Host) ?? defaults.Host,
            MachineId = parsed.GetValue(MachineId) ?? defaults.MachineId,
            ReadinessPath = parsed.GetValue(ReadinessPath) ?? defaults.ReadinessPath,
            ReadyDelay = parsed.GetValue(ReadyDelayMs) ?? defaults.ReadyDelay,
            MetadataUrl = parsed.GetValue(MetadataUrl),
            MetadataFormat = parsed.GetValue(MetadataFormatFlag) ?? defaults.MetadataFormat,
            MetadataPollInterval = parsed.GetValue(MetadataPollMs) ?? defaults.MetadataPollInterval,
            OrphanExitAfter = parsed.GetValue(OrphanExitAfterMs) is { } after && after > TimeSpan.Zero ? after : null,
            ControllerUrl = parsed.GetValue(ControllerUrl),
            ControllerToken = parsed.GetValue(ControllerToken),
            DrainTimeout = parsed.GetValue(DrainTimeoutMs) ?? defaults.DrainTimeout,
            ModelDirectory = parsed.GetValue(Model),
            Files = builtIn ? parsed.GetValue(TaskFilesFlag) : null,
            Home = builtIn ? parsed.GetValue(Home) : null,
            ModelCacheDirectory = parsed.GetValue(ModelCache) switch
            {
                null => CheckpointCache.DefaultRoot(),
                NoModelCache => null,
                var folder => folder,
            },
            ModelCacheQuotaBytes = parsed.GetValue(ModelCacheQuotaGb) ?? defaults.ModelCacheQuotaBytes,
            ServedModelName = parsed.GetValue(ServedModelName),
            MaxBatchSize = parsed.GetValue(MaxBatchSize) ?? defaults.MaxBatchSize,
            MaxRequestBytes = parsed.GetValue(MaxRequestBytes) ?? defaults.MaxRequestBytes,
            PeakBandwidthGbps = parsed.GetValue(PeakBandwidthGbps),
            PeakTflops = parsed.GetValue(PeakTflops),
            Engine = engine == EngineNames.Cuda ? ModelEngine.Cuda : ModelEngine.Cpu,
            GpuMemoryUtilization = parsed.GetValue(GpuMemoryUtilization) ?? defaults.GpuMemoryUtilization,
            External = external,
        };

        if (options.External is { Run: null })
            throw new CommandLineException("--setup, --engine-port, --workdir, --task-files, --home, --engine-max-restarts, --engine-restart-delay-ms, --num-nodes and --engine external go with --run");
        if (options.External is { NumNodes: > 1 } && options.ControllerUrl is null)
            throw new CommandLineException("--num-nodes above 1 needs --controller-url: the nodes' addresses come from the controller");
        if (options.Engine == ModelEngine.Cuda && options.ModelDirectory is null)
            throw new CommandLineException("--engine cuda serves a model: give --model");
        if (Given(GpuMemoryUtilization) && options.Engine != ModelEngine.Cuda)
            throw new CommandLineException("--gpu-memory-utilization goes with --engine cuda");
        if (options.External is not null && options.ModelDirectory is not null)
            throw new CommandLineException("--model (the built-in engine) and --run (an external engine) cannot be used together");
        if (options.OrphanExitAfter is not null && options.MetadataUrl is null)
            throw new CommandLineException("--orphan-exit-after-ms goes with --metadata-url: it is the metadata service that stops answering");
        if (options.ModelCacheDirectory is null && options.ModelDirectory is { } model && ModelSource.LooksLikeUrl(model))
            throw new CommandLineException("--model with a URL needs a model cache; drop --model-cache none");
        if (options.Home is not null && options.Files is null && !taskFilesFollow)
            throw new CommandLineException("--home with --model goes with --task-files: it is where the workdir and file mounts go");
        if (options.ModelDirectory is { } modelFolder && !ModelSource.LooksLikeUrl(modelFolder) && options.Files is null && !taskFilesFollow
            && !File.Exists(Path.Combine(modelFolder, "config.json")))
            throw new CommandLineException(
                $"--model must be a model folder with config.json, tokenizer.json and *.safetensors, or an http(s) URL of one; '{modelFolder}' has no config.json");
        return options;
    }

    /// <summary>
    /// What is wrong with the command line as System.CommandLine read it, in the agent's own words; null: nothing. A
    /// repeated flag, `--`, an unknown flag or a stray word come first (System.CommandLine would word them its own way),
    /// then the first value a flag's <see cref="Flag{T}"/> refused.
    /// </summary>
    private static string? Misuse(ParseResult parsed)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var token in parsed.Tokens)
        {
            if (token.Type == TokenType.Option && !seen.Add(token.Value))
                return $"{token.Value} is given more than once";
            if (token.Type == TokenType.DoubleDash)
                return $"unknown option {token.Value}";
            if (token.Type == TokenType.Directive) // [NAME] first: the tokenizer's, though the command has none
                return $"unexpected argument '{token.Value}'";
        }
        if (parsed.UnmatchedTokens is [var unmatched, ..])
            return unmatched.StartsWith('-') ? $"unknown option {unmatched}" : $"unexpected argument '{unmatched}'";
        return parsed.Errors is [var first, ..] ? first.Message : null;
    }

    /// <summary>Task files as --task-files or <see cref="SkyServe.Contracts.Notices.AgentApi.TaskFilesVariable"/> give them, checked.</summary>
    /// <exception cref="CommandLineException">Not the task files' JSON, or an entry without what it needs.</exception>
    public static TaskFiles TaskFilesValue(string value)
    {
        TaskFiles files;
        try
        {
            files = TaskFiles.Parse(value);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new CommandLineException($"{AgentFlags.TaskFiles} must be the task files' JSON: {e.Message}");
        }
        if (files.Workdir is { Blob: null, GitUrl: null })
            throw new CommandLineException($"{AgentFlags.TaskFiles}: the workdir needs a blob or a git_url");
        foreach (var mount in files.FileMounts)
        {
            if (string.IsNullOrWhiteSpace(mount.Target) || (mount.Blob is null) == (mount.Source is null))
                throw new CommandLineException($"{AgentFlags.TaskFiles}: each file mount needs a target and one of blob or source");
            if (mount.Mode is not (TaskFileModes.Copy or TaskFileModes.Mount or TaskFileModes.MountCached))
                throw new CommandLineException($"{AgentFlags.TaskFiles}: mode '{mount.Mode}' of {mount.Target} is not COPY, MOUNT or MOUNT_CACHED");
        }
        return files;
    }

    private static string ShellCommand(string flag, string value) =>
        !string.IsNullOrWhiteSpace(value) ? value : throw new CommandLineException($"{flag} needs a shell command");

    private static string ModelLocation(string value)
    {
        // A local folder is checked once the task files are known (Parse): it may be one of them.
        if (!ModelSource.LooksLikeUrl(value))
            return NonEmpty(AgentFlags.Model, value);
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

    private static int PortNumber(string flag, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= IPEndPoint.MaxPort
            ? port
            : throw new CommandLineException($"{flag} must be a number from 0 to {IPEndPoint.MaxPort}, not '{value}'");

    private static IPAddress Address(string value) =>
        IPAddress.TryParse(value, out var address)
            ? address
            : throw new CommandLineException($"--host must be an IP address such as 127.0.0.1 or 0.0.0.0, not '{value}'");

    private static string MachineIdValue(string value) =>
        value.Length > 0 && !value.Any(char.IsWhiteSpace) && !value.Any(char.IsControl)
            ? value
            : throw new CommandLineException($"--machine-id must be non-empty without spaces, not '{value}'");

    private static string ReadinessPathValue(string value)
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
        MetadataFormats.Aws => MetadataFormat.Aws,
        MetadataFormats.Gcp => MetadataFormat.Gcp,
        MetadataFormats.Azure => MetadataFormat.Azure,
        _ => throw new CommandLineException($"--metadata-format must be aws, gcp or azure, not '{value}'"),
    };
}
