using SkyServe.Contracts.Agent;
using SkyServe.Core.Hosting;
using SkyServe.Inference.Checkpoints;
using SkyServe.ReplicaAgent.Endpoints;
using SkyServe.ReplicaAgent.Files;
using SkyServe.ReplicaAgent.Health;

namespace SkyServe.ReplicaAgent.Hosting;

/// <summary>
/// The workdir and file mounts of a built-in engine's replica (a <c>model:</c> spec with <c>workdir</c> or
/// <c>file_mounts</c>), put in place before the model loads, since the model may be one of them. The agent listens
/// meanwhile on its own port with /health only (engine state <c>setting_up</c>, "fetching the workdir and file mounts")
/// and readiness 503, then gives the port to the real host. When the files cannot be put in place, /health says
/// <c>failed</c> with why, as for a failed setup, until the agent is stopped.
/// </summary>
public static class ModelFilesStaging
{
    public const string Fetching = "fetching the workdir and file mounts";

    /// <returns>
    /// The options to load the model with (its path resolved, the port listened on), or null with the exit code when
    /// the agent could not listen (1), the files could not be put in place (1, once stopped) or it was stopped meanwhile (0).
    /// </returns>
    public static async Task<(AgentOptions? Options, int ExitCode)> RunAsync(AgentOptions options, TaskFiles files, TextWriter output)
    {
        var health = new StagingHealth();
        await using var app = BuildHost(options, health);
        var url = new UriBuilder("http", options.Host.ToString(), options.Port).Uri.ToString();
        if (await PortAvailability.StartAsync([url], () => app.StartAsync()) is { } cannotListen)
        {
            await Console.Error.WriteLineAsync($"SkyServe.ReplicaAgent: {cannotListen}");
            return (null, 1);
        }
        var listening = new Uri(app.Urls.First());
        var status = new StatusLineWriter(output);
        status.WriteLine($"ReplicaAgent listening on {listening}");

        var home = HomePaths.Home(options.Home);
        var stopping = app.Lifetime.ApplicationStopping;
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromMinutes(30) };
        var stager = new TaskFilesStager(new ControllerBlobs(options.ControllerUrl, options.ControllerToken, http), http,
            Environment.GetEnvironmentVariable, line => status.WriteLine($"ReplicaAgent task files: {line}"));
        try
        {
            var workdir = await stager.StageAsync(files, home, stopping);
            await app.StopAsync(CancellationToken.None);
            return (options with { Port = listening.Port, ModelDirectory = ModelPath(options.ModelDirectory!, workdir, home) }, 0);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return (null, 0);
        }
        catch (TaskFilesException e)
        {
            var failure = $"the workdir and file mounts could not be put in place; the model is not loaded: {e.Message}";
            health.Fail(failure);
            await Console.Error.WriteLineAsync($"SkyServe.ReplicaAgent: {failure}");
            await app.WaitForShutdownAsync();
            return (null, 1);
        }
    }

    /// <summary>
    /// The model as the agent opens it once the files are in place: a relative path is in the workdir when there is one
    /// (SkyPilot runs a task there), <c>~</c> the machine's home; URLs, absolute paths and, without a workdir,
    /// relative ones are left alone.
    /// </summary>
    public static string ModelPath(string path, string? workdir, string home)
    {
        if (ModelSource.LooksLikeUrl(path) || Path.IsPathRooted(path))
            return path;
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal))
            return HomePaths.Resolve(path, home);
        return workdir is null ? path : Path.GetFullPath(Path.Combine(workdir, path));
    }

    private static WebApplication BuildHost(AgentOptions options, StagingHealth health)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(options.Host, options.Port));
        AgentHost.ConfigureLogging(builder.Logging);
        var state = new AgentState(options, TimeProvider.System);
        state.AttachEngine(health);
        builder.Services.AddSingleton(state);
        AgentHost.ConfigureJson(builder.Services);
        var app = builder.Build();
        if (HealthEndpoints.IsHealthPath(options.ReadinessPath))
            app.MapHealthAsReadiness(null);
        else
        {
            app.MapHealth();
            app.MapReadiness(options.ReadinessPath);
        }
        return app;
    }

    /// <summary>The staging's part of /health: not ready while the files come, failed when they cannot.</summary>
    private sealed class StagingHealth : IEngineHealth
    {
        private volatile string? failure;

        public Readiness Readiness => new(false, failure is null ? "setting_up" : "setup_failed", failure ?? Fetching);

        public string? Failure => failure;

        public External.EngineStatus Status => new(failure is null ? External.EngineState.SettingUp : External.EngineState.SetupFailed,
            Pid: null, Port: 0, Restarts: 0, LastExitCode: null, StartedAt: null, Detail: failure ?? Fetching, LogFile: "stdout");

        public void Fail(string why) => failure = why;
    }
}
