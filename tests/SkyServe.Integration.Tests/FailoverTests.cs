using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SkyServe.Controller.Hosting;
using SkyServe.LoadBalancer.Hosting;
using SkyServe.Providers.Local;
using SkyServe.Testing;
using Xunit.Abstractions;

namespace SkyServe.Integration.Tests;

/// <summary>
/// High availability: two controller processes and two load balancers on one PostgreSQL, sharing one local runtime,
/// a service under steady load. The controller that holds the reconcile lease is killed with SIGKILL; the other takes
/// over, adopts the replicas the first launched, and nothing is launched twice, orphaned or failed.
/// </summary>
public sealed class FailoverTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "failover-test-token";
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(90);
    private readonly PostgresServer postgres = new();
    private readonly TempDirectory data = new();

    public Task InitializeAsync() => postgres.InitializeAsync();

    public async Task DisposeAsync()
    {
        await postgres.DisposeAsync();
        data.Dispose();
    }

    private const string Spec = """
        service:
          readiness_probe: /ready
          replicas: 2
          ports: 8080
        resources:
          cloud: aws
          cpus: 8
        """;

    [Fact]
    public async Task Killing_the_leading_controller_fails_no_request_and_the_other_adopts_its_replicas_without_relaunching()
    {
        var database = postgres.NewDatabase("failover");
        var zones = Path.Combine(data.Path, "zones.yaml");
        await File.WriteAllTextAsync(zones, "provisioning_seconds: 0\nzones:\n  - infra: aws/us-east-1/us-east-1a\n");
        try
        {
            var ports = new[] { FreePort.Next(), FreePort.Next() };
            var controllers = new List<ControllerProcess>();
            foreach (var port in ports)
                controllers.Add(await ControllerProcess.StartAsync(new Dictionary<string, string>
                {
                    ["PostgresConnectionString"] = database,
                    ["DataDirectory"] = data.Path, // one local runtime, shared by both
                    ["Urls"] = $"http://127.0.0.1:{port}",
                    ["ApiToken"] = Token,
                    ["ConfigDirectory"] = RepoPaths.Config,
                    ["LocalZonesFile"] = zones,
                    ["Reconcile:Interval"] = "00:00:01",
                }));
            await using var first = controllers[0];
            await using var second = controllers[1];
            var apis = ports.Select(Api).ToArray();

            // One load balancer follows each controller.
            var lbs = new List<Microsoft.AspNetCore.Builder.WebApplication>();
            foreach (var api in apis)
            {
                var lb = LoadBalancerHost.Build(new LoadBalancerOptions
                {
                    Listen = "http://127.0.0.1:0", ControllerUrl = api.BaseAddress!.ToString(), ControllerToken = Token,
                    StatsInterval = TimeSpan.FromMilliseconds(500),
                });
                await lb.StartAsync();
                lbs.Add(lb);
            }
            var clients = lbs.Select(lb => new HttpClient { BaseAddress = LoadBalancerHost.BoundAddress(lb), Timeout = TimeSpan.FromSeconds(20) }).ToArray();

            var created = await apis[1].PostAsync("/api/v1/services?name=svc", new StringContent(Spec, Encoding.UTF8, "application/yaml"));
            Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
            await Eventually.TrueAsync(async () => (await ReplicasAsync(apis[1])).Count(IsReady) == 2, Startup,
                () => $"2 READY replicas\n{first.Output}\n---\n{second.Output}");
            foreach (var client in clients)
                await Eventually.TrueAsync(async () => (await client.GetAsync("svc/warm-up")).StatusCode == HttpStatusCode.OK, Startup,
                    () => "both load balancers routing to svc");

            using var stopLoad = new CancellationTokenSource();
            var load = new LoadCounter();
            var loops = clients.SelectMany((c, i) => Enumerable.Range(0, 2).Select(j => load.LoopAsync(c, $"svc/lb{i}-client{j}", stopLoad.Token))).ToList();
            await Eventually.TrueAsync(() => load.Succeeded > 50, Startup, () => "requests through both load balancers");

            var before = await ReplicasAsync(apis[1]);
            var (owner, generation) = await LeaseAsync(database);
            var leader = controllers.Single(c => owner.Contains($"-{c.Pid}-"));
            var standby = controllers.Single(c => c != leader);
            var standbyApi = apis[controllers.IndexOf(standby)];
            var machinesBefore = LiveMachines();
            Assert.Equal(2, machinesBefore.Count);

            leader.Kill(); // SIGKILL: no shutdown code, its agents keep running
            var killedAt = DateTime.UtcNow;
            var takeover = Stopwatch.StartNew();
            await Eventually.TrueAsync(async () => (await LeaseAsync(database)).Generation > generation, TimeSpan.FromSeconds(30),
                () => $"the standby taking the lease\n{standby.Output}");
            var takeoverTime = takeover.Elapsed;
            Assert.Contains($"-{standby.Pid}-", (await LeaseAsync(database)).Owner);

            // The new leader reconciles the service: it keeps the replicas it adopted READY through several resyncs.
            var reconciledBy = DateTime.UtcNow + TimeSpan.FromSeconds(8);
            while (DateTime.UtcNow < reconciledBy)
            {
                var replicas = await ReplicasAsync(standbyApi);
                Assert.True(replicas.Count(IsReady) == 2, $"replicas after the takeover: {replicas.ToJsonString()}\n{standby.Output}");
                await Task.Delay(500);
            }
            var after = await ReplicasAsync(standbyApi);
            var rate = await RequestRateSinceAsync(database, killedAt);

            await stopLoad.CancelAsync();
            await Task.WhenAll(loops);
            foreach (var lb in lbs)
                await lb.StopAsync();
            output.WriteLine($"takeover {takeoverTime.TotalSeconds:0.0} s after SIGKILL; {load.Succeeded} requests, {load.Failed} failed; " +
                $"requests posted since the kill: {rate:0}");

            Assert.True(takeoverTime <= TimeSpan.FromSeconds(15), $"takeover took {takeoverTime.TotalSeconds:0.0} s");
            Assert.True(load.Failed == 0, $"{load.Failed} of {load.Succeeded + load.Failed} requests failed; first: {load.FirstFailure}");
            // No replica relaunched, no machine launched twice, none orphaned: the same replicas on the same machines.
            Assert.Equal(Ids(before), Ids(after));
            Assert.Equal(before.Select(r => r!["instance_id"]!.GetValue<string>()).Order(), after.Select(r => r!["instance_id"]!.GetValue<string>()).Order());
            var machinesAfter = LiveMachines();
            Assert.Equal(machinesBefore.Order(), machinesAfter.Order());
            Assert.Equal(2, AllMachines().Count); // nothing else was ever launched
            // The autoscaler's input survived: load posted to the surviving controller since the kill is in the database.
            Assert.True(rate > 0, "no request counts reached the database after the kill");
        }
        finally
        {
            await using var local = await LocalRuntimeSetup.StartAsync(
                new ControllerOptions { DataDirectory = data.Path, ConfigDirectory = RepoPaths.Config, LocalZonesFile = zones }, NullLogger.Instance);
            await local.TerminateAllAsync(CancellationToken.None);
        }
    }

    private List<string> LiveMachines() => AllMachines().Where(m => m.IsLive).Select(m => m.Id).ToList();

    private List<LocalMachine> AllMachines() => new LocalStateStore(Path.Combine(data.Path, "local")).Load()?.Machines ?? [];

    private static HttpClient Api(int port)
    {
        var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return api;
    }

    private static async Task<JsonArray> ReplicasAsync(HttpClient api)
    {
        using var response = await api.GetAsync("/api/v1/services/svc/replicas");
        return response.IsSuccessStatusCode ? (JsonArray)JsonNode.Parse(await response.Content.ReadAsStringAsync())! : [];
    }

    private static bool IsReady(JsonNode? replica) => replica!["status"]!.GetValue<string>() == "READY";

    private static IEnumerable<int> Ids(JsonArray replicas) => replicas.Select(r => r!["replica_id"]!.GetValue<int>()).Order();

    private static async Task<(string Owner, long Generation)> LeaseAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT owner, generation FROM controller_leases WHERE name = 'reconcile'", connection);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetString(0), reader.GetInt64(1)) : ("", 0);
    }

    private static async Task<double> RequestRateSinceAsync(string database, DateTime since)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT coalesce(sum(requests), 0) FROM request_counts WHERE at > @since", connection);
        command.Parameters.AddWithValue("since", since);
        return Convert.ToDouble(await command.ExecuteScalarAsync());
    }
}
