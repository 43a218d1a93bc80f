using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Logging.Console;
using SkyServe.ReplicaAgent.Endpoints;
using SkyServe.ReplicaAgent.Endpoints.OpenAi;
using SkyServe.ReplicaAgent.Engine.Checkpoints;
using SkyServe.ReplicaAgent.Engine.Serving;
using SkyServe.ReplicaAgent.Health;
using SkyServe.ReplicaAgent.Interruption;

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
        services.AddSingleton(new AgentState(options, time)); // created now: the ready delay counts from start-up
        services.AddHostedService<DrainOnShutdown>();
        if (options.MetadataUrl is { } metadataUrl)
        {
            services.AddSingleton(_ => InterruptionNoticeSourceFactory.Create(options.MetadataFormat, metadataUrl, time));
            services.AddHostedService<InterruptionWatcher>();
        }
        services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
            json.SerializerOptions.Converters.Add(new UtcTimestampJsonConverter());
        });

        // The model loads before the agent listens, so readiness never claims a model that is not there.
        var engine = options.ModelDirectory is { } model ? LoadEngine(options, model, status) : null;
        if (engine is not null)
            services.AddSingleton(engine); // disposed with the host

        var app = builder.Build();
        app.MapHealth();
        app.MapReadiness(options.ReadinessPath);
        if (engine is not null)
            app.MapOpenAi(engine);
        app.MapEcho();
        return app;
    }

    /// <summary>Loads the model (through the checkpoint cache when there is one) and reports how the load went.</summary>
    private static InferenceEngine LoadEngine(AgentOptions options, string model, StatusLineWriter status)
    {
        var cache = options.ModelCacheDirectory is { } directory
            ? new CheckpointCache(directory, options.ModelCacheQuotaBytes, log: line => status.WriteLine($"ReplicaAgent model cache: {line}"))
            : null;
        var engine = InferenceEngine.Load(model, options.ServedModelName, options.MaxBatchSize, cache);
        status.WriteLine($"ReplicaAgent model {engine.Name} loaded: {engine.LoadReport.Describe()}");
        return engine;
    }

    // One line per message; warnings and errors on stderr so stdout carries only the status lines and info.
    private static void ConfigureLogging(ILoggingBuilder logging)
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
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning); // the agent prints its own listening line
    }
}
