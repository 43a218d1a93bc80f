using System.Net;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Cloud;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Providers;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>
/// The controller's /metrics on a live controller (real Kestrel, SQLite, <see cref="FakeCloudProvider"/>): after launches, a
/// refused launch and a preemption, the page passes <c>promtool check metrics</c> and its series say what happened.
/// </summary>
public sealed class ControllerMetricsTests : IAsyncLifetime
{
    private const string Spec = """
        service:
          readiness_probe: /ready
          replicas: 2
          ports: 8080
        resources:
          cloud: aws
          cpus: 8
          use_spot: true
        """;

    private readonly TempDirectory data = new();
    private readonly FakeCloudProvider cloud = new("aws/us-east-1/us-east-1a", "aws/us-east-1/us-east-1b");
    private ControllerServer server = null!;
    private LeaderElection leader = null!;

    public async Task InitializeAsync()
    {
        server = await ControllerServer.StartAsync(new ControllerOptions
        {
            DataDirectory = data.Path,
            Urls = "http://127.0.0.1:0",
            Reconcile = new ReconcileOptions { Enabled = false, MachineListInterval = TimeSpan.FromTicks(1) },
        }, cloud);
        leader = server.Services.GetRequiredService<LeaderElection>();
        Assert.True(await leader.IsLeaderAsync(CancellationToken.None));
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    public async Task Metrics_pass_promtool_and_count_launches_failures_preemptions_replicas_and_cost()
    {
        var created = await server.Client.PostAsync("/api/v1/services?name=chat", new StringContent(Spec, Encoding.UTF8, "application/yaml"));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        long id;
        await using (var scope = server.Services.CreateAsyncScope())
            id = (await scope.ServiceProvider.GetRequiredService<ControllerDb>().Services.SingleAsync(s => s.Name == "chat")).Id;

        await ReconcileAsync(id); // two spot launches
        cloud.StartAll();
        var inventory = server.Services.GetRequiredService<MachineInventory>();
        await inventory.RefreshAsync(CancellationToken.None);
        await ReconcileAsync(id);
        cloud.FailLaunchesWith = CloudErrorKind.QuotaExceeded;
        cloud.Reclaim(cloud.Machines.First().Id); // the cloud takes one back
        await inventory.RefreshAsync(CancellationToken.None);
        await ReconcileAsync(id); // PREEMPTED, and the replacement's launch is refused
        await ReconcileAsync(id);

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous.GetAsync("/metrics")).StatusCode); // as the API's reads
        using var response = await server.Client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType!.ToString());
        var text = await response.Content.ReadAsStringAsync();
        await Promtool.AssertCheckMetricsPassesAsync(text);

        var scrape = PrometheusScrape.Parse(text);
        double Value(string name, params (string Name, string Value)[] labels) => scrape.Samples
            .Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value)).Sum(s => s.Value);
        Assert.Equal(2, Value("skyserve_controller_launches_total", ("cloud", "aws"), ("market", "spot")));
        Assert.True(Value("skyserve_controller_launch_failures_total", ("market", "spot"), ("kind", "quota_exceeded")) >= 1, text);
        Assert.Equal(1, Value("skyserve_controller_preemptions_total", ("cloud", "aws"), ("region", "us-east-1")));
        Assert.Equal(1, Value("skyserve_controller_replicas", ("service", "chat"), ("state", "PREEMPTED"), ("market", "spot")));
        Assert.Equal(1, Value("skyserve_controller_replicas", ("service", "chat"), ("state", "STARTING"), ("market", "spot")));
        Assert.Equal(0.30, Value("skyserve_controller_cost_per_hour_dollars", ("service", "chat")), 6); // one spot machine left
        Assert.Equal(1.00, Value("skyserve_controller_on_demand_equivalent_per_hour_dollars", ("service", "chat")), 6);
        Assert.True(Value("skyserve_controller_api_requests_total", ("route", "/api/v1/services"), ("method", "POST"), ("code", "201")) == 1, text);
        Assert.Equal(1, Value("skyserve_controller_leader"));
        Assert.Equal(leader.Generation, Value("skyserve_controller_lease_generation"));
        Assert.Contains("skyserve_controller_reconcile_queue_depth", scrape.Types.Keys);
        Assert.Equal("histogram", scrape.Types["skyserve_controller_reconcile_duration_seconds"]);
    }

    private async Task ReconcileAsync(long id)
    {
        await using var scope = server.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ServiceReconciler>().ReconcileAsync(id, leader.Generation, CancellationToken.None);
    }
}
