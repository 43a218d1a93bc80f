using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SkyServe.LoadBalancer.Hosting;
using SkyServe.Testing;

namespace SkyServe.LoadBalancer.Tests;

/// <summary>
/// A controller that answers but fails (503 while its database is away, or 500) is treated like one that is
/// unreachable: the load balancer keeps routing with the last routes it knew, and the requests it could not
/// report are reported once the controller takes them again.
/// </summary>
public sealed class ControllerErrorTests : IAsyncLifetime
{
    private Backend backend = null!;
    private FailingController controller = null!;

    public async Task InitializeAsync()
    {
        backend = await Backend.StartAsync("a");
        controller = await FailingController.StartAsync(backend.Url);
    }

    public async Task DisposeAsync()
    {
        await controller.DisposeAsync();
        await backend.DisposeAsync();
    }

    [Theory]
    [InlineData(503)]
    [InlineData(500)]
    public async Task Routing_goes_on_with_the_last_routes_and_stats_are_kept_while_the_controller_answers_errors(int status)
    {
        await using var lb = await RunningLoadBalancer.StartAsync(new LoadBalancerOptions
        {
            ControllerUrl = controller.Url, ControllerToken = "t", StatsInterval = TimeSpan.FromMilliseconds(100),
        });
        await Eventually.TrueAsync(async () => (await lb.Client.GetAsync("/chat/x")).IsSuccessStatusCode, TimeSpan.FromSeconds(10), () => "routes to chat");

        controller.FailWith = status;
        var (routes, stats) = (controller.FailedRoutes, controller.FailedStats);
        await Eventually.TrueAsync(() => controller.FailedRoutes > routes + 1 && controller.FailedStats > stats + 1, TimeSpan.FromSeconds(30),
            () => $"the load balancer asking the failing controller again ({controller.FailedRoutes} routes, {controller.FailedStats} stats)");
        for (var i = 0; i < 20; i++)
            Assert.Equal("a", (await lb.Client.GetStringAsync("/chat/x")).Split('|')[0]);

        controller.FailWith = null;
        await Eventually.TrueAsync(() => controller.Requests >= 21, TimeSpan.FromSeconds(30),
            () => $"the requests of the failure reported afterwards ({controller.Requests} of at least 21)");
    }

    /// <summary>The controller's load-balancer contract on a real port, one READY replica, answering <see cref="FailWith"/> when set.</summary>
    private sealed class FailingController(WebApplication app) : IAsyncDisposable
    {
        private int failedRoutes;
        private int failedStats;
        private double requests;

        public string Url => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        private volatile int failWith; // 0: answer normally

        public int? FailWith { get => failWith == 0 ? null : failWith; set => failWith = value ?? 0; }
        public int FailedRoutes => Volatile.Read(ref failedRoutes);
        public int FailedStats => Volatile.Read(ref failedStats);
        public double Requests { get { lock (app) return requests; } }

        public static async Task<FailingController> StartAsync(string replicaUrl)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var controller = new FailingController(app);
            var routes = new JsonObject
            {
                ["revision"] = "e1", ["full"] = true, ["removed"] = new JsonArray(),
                ["services"] = new JsonArray(new JsonObject
                {
                    ["name"] = "chat", ["status"] = "READY", ["load_balancing_policy"] = "round_robin", ["min_replicas"] = 1,
                    ["ready_replicas"] = new JsonArray(new JsonObject { ["replica_id"] = 1, ["url"] = replicaUrl, ["version"] = 1, ["weight"] = 1 }),
                }),
            }.ToJsonString();
            app.MapGet("/api/v1/lb/routes", async (HttpContext http, string? since) =>
            {
                if (since == "e1")
                    await Task.Delay(200, http.RequestAborted); // unchanged: a short long-poll
                if (controller.FailWith is { } status)
                {
                    Interlocked.Increment(ref controller.failedRoutes);
                    return Problem(status);
                }
                return Results.Text(routes, "application/json");
            });
            app.MapPost("/api/v1/lb/stats", async (HttpContext http) =>
            {
                var body = JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync())!;
                if (controller.FailWith is { } status)
                {
                    Interlocked.Increment(ref controller.failedStats);
                    return Problem(status);
                }
                lock (app)
                    controller.requests += body["services"]!.AsArray().Sum(s => s!["requests"]!.GetValue<double>());
                return Results.NoContent();
            });
            await app.StartAsync();
            return controller;
        }

        private static IResult Problem(int status) => status == 503
            ? Results.Problem(title: "Database unavailable", statusCode: 503, extensions: new Dictionary<string, object?> { ["retry_after"] = 5 })
            : Results.Problem(title: "Internal error", statusCode: status);

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
