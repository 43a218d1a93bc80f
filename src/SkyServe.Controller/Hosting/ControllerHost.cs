using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Quartz;
using SkyServe.Controller.Api;
using SkyServe.Controller.Cloud;
using SkyServe.Controller.Dashboard;
using SkyServe.Controller.Metrics;
using SkyServe.Controller.Probing;
using SkyServe.Controller.Reconcile;
using SkyServe.Controller.Routing;
using SkyServe.Controller.Services;
using SkyServe.Providers;

namespace SkyServe.Controller.Hosting;

/// <summary>Builds the controller's web host. Used by its own Program and by `skyserve local start`.</summary>
public static class ControllerHost
{
    /// <param name="provider">
    /// The cloud to launch on. By default the clouds configured under <c>SkyServe:Clouds</c> (appsettings.json, environment
    /// variables <c>SkyServe__Clouds__Aws__...</c>, <paramref name="args"/>; see <see cref="CloudSetup"/>), and when none is,
    /// the local runtime of the zone file.
    /// </param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is bad (<see cref="ControllerOptionsValidator"/>).</exception>
    /// <exception cref="SkyServe.Core.Security.SecretFileException">A secret file is missing or empty.</exception>
    public static async Task<WebApplication> BuildAsync(ControllerOptions options, string[]? args = null, CancellationToken ct = default,
        ICloudProvider? provider = null)
    {
        ControllerOptionsValidator.ThrowIfInvalid(options); // before the data directory, the token or the database is touched
        options.ReadSecretFiles();
        if (string.IsNullOrWhiteSpace(options.ApiToken))
        {
            var (token, generated) = ApiTokenStore.LoadOrCreate(options.DataDirectory);
            options.ApiToken = token;
            options.ApiTokenWasGenerated = generated;
        }

        var builder = WebApplication.CreateSlimBuilder(args ?? []);
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = SpecBody.MaxBytes * 2L);
        builder.Logging.AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning); // hosts print their own start-up line
        builder.Logging.AddFilter("Quartz", LogLevel.Warning);

        var services = builder.Services;
        // Every loop retries its own failures (a database outage included); should one still escape, the API and the
        // load balancers' routes stay up rather than the whole host ending.
        services.Configure<HostOptions>(h => h.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.Ignore);
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        services.AddSingleton(TimeProvider.System);
        services.AddControllerDb(options);
        services.AddScoped<ServiceStore>();
        services.AddSingleton(new EndpointPorts(options.Routing));
        services.AddScoped<BlobStore>();
        services.AddSingleton<ParsedSpecs>();
        services.AddSingleton<ReplicaLogClient>();
        AddReconciliation(services, options);
        // Routing answers 415 itself for a Content-Type outside an endpoint's Accepts list (only spec bodies have one);
        // give that answer the same detail as SpecBody's own 415 for a missing type.
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            if (context.ProblemDetails is { Status: StatusCodes.Status415UnsupportedMediaType, Detail: null })
                context.ProblemDetails.Detail = SpecBody.UnsupportedMediaTypeMessage(context.HttpContext.Request.ContentType);
        });
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true); // bad query values → problem+json 400
        services.Configure<JsonOptions>(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);
        services.AddOpenApi();

        var agentPackages = new AgentPackages(options.Agent.PackagePath);
        services.AddSingleton(agentPackages);
        // The provider is created before the host so that a broken zone file or cloud setting fails the start, not the first launch.
        if (provider is null)
        {
            var logs = LoggerFactory.Create(l => l.AddConsole());
            provider = await CloudSetup.StartAsync(builder.Configuration, options, logs, agentPackages.Current is not null, ct)
                ?? (ICloudProvider)await LocalRuntimeSetup.StartAsync(options, logs.CreateLogger("SkyServe.Local"));
        }
        services.AddSingleton(_ => provider); // disposed with the host

        var app = builder.Build();
        await DatabaseRegistration.MigrateAsync(app.Services, ct);

        app.UseRequestCounting();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi("/openapi/v1.json");
        app.MapGet("/health", () => Results.Ok(new { status = "ok" })).ExcludeFromDescription();
        app.MapServiceApi();
        app.MapControllerMetrics();
        app.MapDashboard();
        app.MapLoadBalancerApi();
        app.MapAgentApi();
        return app;
    }

    private static void AddReconciliation(IServiceCollection services, ControllerOptions options)
    {
        services.AddSingleton(options.Reconcile);
        services.AddSingleton(options.Jobs);
        services.AddSingleton<ReconcileQueue>();
        services.AddSingleton<ReconcileSignal>();
        services.AddSingleton<RequestRates>();
        services.AddSingleton<ControllerIdentity>();
        services.AddSingleton<MachineInventory>();
        services.AddSingleton<ProbeScheduler>();
        services.AddSingleton<MachineTerminations>();
        services.AddSingleton<LocationStates>();
        services.AddSingleton<NoticeIntake>();
        services.AddSingleton<ScopedTokens>();
        services.AddSingleton<AgentCallback>();
        services.AddSingleton<LeaderElection>();
        services.AddSingleton<OfferingCache>();
        services.AddSingleton<OnDemandPrices>();
        services.AddSingleton<ControllerMetrics>();
        services.AddSingleton(new ReadinessProber(new HttpClient(new SocketsHttpHandler
        {
            // One or two kept-alive connections per replica, reused probe after probe.
            MaxConnectionsPerServer = 2,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each probe has the spec's own timeout
        }));
        services.AddScoped<ServiceReconciler>();
        services.AddSingleton<RoutingTable>();
        services.AddSingleton<LoadBalancerReports>();
        services.AddHostedService(sp => sp.GetRequiredService<RoutingTable>());
        services.AddSingleton<RouteChangeListener>();
        services.AddHostedService(sp => sp.GetRequiredService<RouteChangeListener>());
        if (!options.Reconcile.Enabled)
            return;
        services.AddHostedService<ReconcileWorkers>();
        services.AddHostedService<PeerWakes>();
        services.AddHostedService<NoticeListener>();
        services.AddQuartz(options.Jobs.AddTo);
        services.AddQuartzHostedService(q => q.WaitForJobsToComplete = false);
    }
}
