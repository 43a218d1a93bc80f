using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Logging.Console;
using SkyServe.ReplicaAgent.Endpoints;
using SkyServe.ReplicaAgent.Endpoints.OpenAi;
using SkyServe.Inference.Checkpoints;
using SkyServe.Inference.Cuda;
using SkyServe.Inference.Generation;
using SkyServe.Inference.Serving;
using SkyServe.ReplicaAgent.External;
using SkyServe.ReplicaAgent.Health;
using SkyServe.ReplicaAgent.Interruption;
using SkyServe.ReplicaAgent.Metrics;

namespace SkyServe.ReplicaAgent.Hosting;

/// <summary>Builds the agent's web host from its options. Used by Program and by in-process tests.</summary>
public static class AgentHost
{
    /// <param name="time">The agent's clock; the system clock unless a test supplies one.</param>
    /// <param name="statusOutput">Where the status lines go; stdout unless a test supplies a writer.</param>
    public static WebApplication Build(AgentOptions options, TimeProvider? time = null, TextWriter? statusOutput = null)
    {
        time ??= TimeProvider.System;
        // The agent's own flags are parsed already: none of them may leak into ASP.NET configuration.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.Host, options.Port));
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.DrainTimeout);
        ConfigureLogging(builder.Logging);

        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(time);
        var status = new StatusLineWriter(statusOutput ?? Console.Out);
        services.AddSingleton(status);
        var state = new AgentState(options, time); // created now: the ready delay counts from start-up
        services.AddSingleton(state);
        services.AddHostedService<DrainOnShutdown>();
        if (options.MetadataUrl is { } metadataUrl)
        {
            services.AddSingleton<ControllerNoticeReporter>();
            services.AddSingleton(_ => InterruptionNoticeSourceFactory.Create(options.MetadataFormat, metadataUrl, time));
            services.AddHostedService<InterruptionWatcher>();
        }
        ConfigureJson(services);

        // The model loads before the agent listens, so readiness never claims a model that is not there.
        var engineMetrics = options.ModelDirectory is null ? null : new EngineMetrics();
        var engine = options.ModelDirectory is { } model ? LoadEngine(options, model, status, engineMetrics) : null;
        if (engine is not null)
        {
            services.AddSingleton(engine); // disposed with the host
            var gpu = engine.Model as CudaLlamaModel;
            engineMetrics!.Attach(engine, ModelFootprint.Of(engine.Model.Config, engine.LoadReport.Directory, engine.Model.StreamedWeightBytes,
                    gpu is null ? sizeof(float) : sizeof(ushort)),
                DevicePeaks.Resolve(options.PeakBandwidthGbps, options.PeakTflops, gpu?.Peaks));
        }
        services.AddSingleton(sp => new AgentMetrics(sp.GetRequiredService<AgentState>(), options, engineMetrics));

        EngineLog? engineLog = null;
        if (options.External is { } external)
        {
            engineLog = new EngineLog(Path.Combine(external.ResolveWorkDirectory(options.MachineId), ".skyserve", "engine.log"), external.LogMaxBytes);
            services.AddSingleton(engineLog); // disposed with the host
            services.AddSingleton(sp => new NodeDiscovery(options, external.NumNodes, time, sp.GetRequiredService<ILogger<NodeDiscovery>>()));
            services.AddSingleton(sp => new ExternalEngine(external, options, engineLog, sp.GetRequiredService<ILogger<ExternalEngine>>(), time,
                sp.GetRequiredService<NodeDiscovery>()));
            // Registered before the server, so stopped after it: in-flight requests finish before the engine gets SIGTERM.
            services.AddHostedService(sp => sp.GetRequiredService<ExternalEngine>());
            services.AddHttpForwarder();
            services.AddSingleton(_ => ExternalEngineEndpoints.NewClient());
        }

        var app = builder.Build();
        if (engineMetrics?.Peaks is { } peaks)
            app.Logger.UtilizationPeaks(peaks.BandwidthBytesPerSecond / 1e9, peaks.BandwidthSource, peaks.Flops / 1e12, peaks.FlopsSource);
        app.MapMetrics();
        var readinessAtHealth = HealthEndpoints.IsHealthPath(options.ReadinessPath);
        if (!readinessAtHealth)
            app.MapHealth();
        app.MapLogs(engineLog);
        if (options.External is not null)
        {
            var supervisor = app.Services.GetRequiredService<ExternalEngine>();
            state.AttachEngine(supervisor);
            if (readinessAtHealth)
                app.MapHealthAsReadiness(http => supervisor.AnswersOkAsync(HealthEndpoints.Path, http.RequestAborted));
            app.MapExternalEngine(readinessAtHealth ? null : options.ReadinessPath);
            return app;
        }
        if (readinessAtHealth)
            app.MapHealthAsReadiness(null);
        else if (engine is not null && OpenAiEndpoints.Serves(options.ReadinessPath))
            app.UseReadinessGate(options.ReadinessPath); // the engine answers there, once the agent is ready
        else
            app.MapReadiness(options.ReadinessPath);
        if (engine is not null)
            app.MapOpenAi(engine, options.MaxRequestBytes);
        app.MapEcho();
        return app;
    }

    /// <summary>Loads the model (through the checkpoint cache when there is one) and reports how the load went.</summary>
    private static InferenceEngine LoadEngine(AgentOptions options, string model, StatusLineWriter status, IGenerationObserver? observer)
    {
        var cache = options.ModelCacheDirectory is { } directory
            ? new CheckpointCache(directory, options.ModelCacheQuotaBytes, log: line => status.WriteLine($"ReplicaAgent model cache: {line}"))
            : null;
        var engine = InferenceEngine.Load(model, options.ServedModelName, options.MaxBatchSize, cache, observer, options.Engine,
            new CudaEngineOptions(MemoryUtilization: options.GpuMemoryUtilization));
        status.WriteLine($"ReplicaAgent model {engine.Name} loaded: {engine.LoadReport.Describe()}");
        if (engine.Model is CudaLlamaModel gpu)
            status.WriteLine($"ReplicaAgent cuda engine on {gpu.DeviceName}: KV cache of {gpu.KvCacheCapacityTokens} positions; " +
                $"measured {gpu.Peaks.BandwidthBytesPerSecond / 1e9:0} GB/s copy bandwidth and {gpu.Peaks.Flops / 1e12:0} TFLOP/s bf16");
        return engine;
    }

    /// <summary>snake_case bodies with enums as snake_case words and UTC timestamps, as every agent endpoint answers.</summary>
    internal static void ConfigureJson(IServiceCollection services) =>
        services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
            json.SerializerOptions.Converters.Add(new UtcTimestampJsonConverter());
        });

    // One line per message; warnings and errors on stderr so stdout carries only the status lines and info.
    internal static void ConfigureLogging(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.UseUtcTimestamp = true;
            console.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
        });
        logging.Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Warning);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Yarp", LogLevel.Warning); // one line per forwarded request otherwise
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning); // the agent prints its own listening line
    }
}

internal static partial class AgentHostLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "MBU and MFU against {Bandwidth:0.0} GB/s ({BandwidthSource}) and {Tflops:0.000} TFLOPS ({FlopsSource})")]
    public static partial void UtilizationPeaks(this ILogger logger, double bandwidth, string bandwidthSource, double tflops, string flopsSource);
}
