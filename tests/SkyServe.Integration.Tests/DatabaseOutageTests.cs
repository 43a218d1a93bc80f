using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging.Abstractions;
using SkyServe.Controller.Hosting;
using SkyServe.LoadBalancer.Hosting;
using SkyServe.Testing;
using Xunit.Abstractions;

namespace SkyServe.Integration.Tests;

/// <summary>
/// Chaos: PostgreSQL goes away under load and comes back. A real controller process on a PostgreSQL cluster of
/// the test's own (so that it can be stopped), real replica agents of the local runtime, a real load balancer
/// with clients looping requests through it. Set SKYSERVE_TEST_DB_OUTAGE_SECONDS to measure a longer outage.
/// </summary>
public sealed class DatabaseOutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Token = "outage-test-token";
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
    public async Task Load_balanced_requests_never_fail_and_the_controller_answers_503_then_resumes_when_PostgreSQL_stops_and_starts()
    {
        var outageLength = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("SKYSERVE_TEST_DB_OUTAGE_SECONDS"), out var s) ? s : 30);
        var port = FreePort.Next();
        var zones = Path.Combine(data.Path, "zones.yaml");
        await File.WriteAllTextAsync(zones, "provisioning_seconds: 0\nzones:\n  - infra: aws/us-east-1/us-east-1a\n");
        using var api = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        try
        {
            await using var controller = await ControllerProcess.StartAsync(new Dictionary<string, string>
            {
                ["PostgresConnectionString"] = postgres.NewDatabase("outage"),
                ["DataDirectory"] = data.Path,
                ["Urls"] = $"http://127.0.0.1:{port}",
                ["ApiToken"] = Token,
                ["ConfigDirectory"] = RepoPaths.Config,
                ["LocalZonesFile"] = zones,
                ["Reconcile:Interval"] = "00:00:00.250",
            });
            await using var lb = LoadBalancerHost.Build(new LoadBalancerOptions
            {
                Listen = "http://127.0.0.1:0", ControllerUrl = api.BaseAddress!.ToString(), ControllerToken = Token,
            });
            await lb.StartAsync();
            using var clients = new HttpClient { BaseAddress = LoadBalancerHost.BoundAddress(lb), Timeout = TimeSpan.FromSeconds(20) };

            await PostAsync(api, "svc", Spec);
            await Eventually.TrueAsync(async () => await ReadyAsync(api, "svc") == 2, Startup, () => $"2 READY replicas\n{controller.Output}");
            await Eventually.TrueAsync(async () => (await clients.GetAsync("svc/warm-up")).StatusCode == HttpStatusCode.OK, Startup,
                () => "the load balancer routing to svc");

            // Steady load through the load balancer for the whole test.
            using var stopLoad = new CancellationTokenSource();
            var load = new LoadCounter();
            var loops = Enumerable.Range(0, 4).Select(i => load.LoopAsync(clients, $"svc/client-{i}", stopLoad.Token)).ToList();
            await Eventually.TrueAsync(() => load.Succeeded > 20, Startup, () => "requests through the load balancer before the outage");

            // The outage: the controller must answer 503 problem+json throughout, and stay alive.
            var linesBefore = controller.LineCount;
            await postgres.StopAsync();
            var outage = Stopwatch.StartNew();
            var apiStatuses = new List<string>();
            while (outage.Elapsed < outageLength)
            {
                apiStatuses.Add(await StatusOfAsync(api, "/api/v1/services"));
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
            Assert.False(controller.HasExited, $"the controller exited during the outage\n{controller.Output}");
            var during = await api.GetAsync("/api/v1/services");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
            Assert.Equal("application/problem+json", during.Content.Headers.ContentType?.MediaType);
            Assert.NotNull(during.Headers.RetryAfter);
            Assert.Equal("Database unavailable", JsonNode.Parse(await during.Content.ReadAsStringAsync())!["title"]!.GetValue<string>());
            Assert.All(apiStatuses, status => Assert.Equal("503", status));

            // The return: the API answers within 10 s and the reconcile loop acts again (a new service comes up).
            await postgres.StartAsync();
            var back = Stopwatch.StartNew();
            await Eventually.TrueAsync(async () => await StatusOfAsync(api, "/api/v1/services") == "200", TimeSpan.FromSeconds(10),
                () => $"the controller API answering 200 after the database's return\n{controller.OutputSince(linesBefore)}");
            var recovery = back.Elapsed;
            var outageLines = controller.LineCount - linesBefore;
            var outageLog = controller.OutputSince(linesBefore);
            output.WriteLine($"API 200 {recovery.TotalSeconds:0.0} s after the database's return; {outageLines} log lines\n{outageLog}");
            await PostAsync(api, "after", Spec.Replace("replicas: 2", "replicas: 1"));
            await Eventually.TrueAsync(async () => await ReadyAsync(api, "after") == 1, Startup,
                () => $"a service created after the outage coming up\n{controller.OutputSince(linesBefore)}");
            await Eventually.TrueAsync(async () => (await clients.GetAsync("after/hello")).IsSuccessStatusCode, Startup,
                () => "the load balancer learning the new service's routes");

            await stopLoad.CancelAsync();
            await Task.WhenAll(loops);
            await lb.StopAsync();
            output.WriteLine($"outage {outageLength.TotalSeconds:0} s: {load.Succeeded} requests through the load balancer, {load.Failed} failed; " +
                $"API 200 {recovery.TotalSeconds:0.0} s after the database's return; {outageLines} controller log lines from the stop to that 200; " +
                $"API during the outage: {apiStatuses.Count} answers, {apiStatuses.Count(x => x == "503")} of them 503");
            Assert.True(load.Failed == 0, $"{load.Failed} of {load.Succeeded + load.Failed} requests failed; first: {load.FirstFailure}");
            Assert.True(outageLines < 100, $"{outageLines} log lines over the outage:\n{outageLog}");
            Assert.Contains("database unreachable", outageLog);
            Assert.Contains("database is back after", controller.OutputSince(linesBefore)); // said by the first loop to succeed, maybe after the API
            Assert.Contains("no longer leading", outageLog); // leadership ended with its lock's connection
            Assert.False(controller.HasExited);
        }
        finally
        {
            await using var local = await LocalRuntimeSetup.StartAsync(
                new ControllerOptions { DataDirectory = data.Path, ConfigDirectory = RepoPaths.Config, LocalZonesFile = zones }, NullLogger.Instance);
            await local.TerminateAllAsync(CancellationToken.None);
        }
    }

    /// <summary>"200", "503", ... or what the attempt threw (connection refused must never be the answer).</summary>
    private static async Task<string> StatusOfAsync(HttpClient api, string path)
    {
        try
        {
            using var response = await api.GetAsync(path);
            return ((int)response.StatusCode).ToString();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }

    private static async Task PostAsync(HttpClient api, string name, string spec)
    {
        var response = await api.PostAsync($"/api/v1/services?name={name}", new StringContent(spec, Encoding.UTF8, "application/yaml"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<int> ReadyAsync(HttpClient api, string name)
    {
        using var response = await api.GetAsync($"/api/v1/services/{name}/replicas");
        if (!response.IsSuccessStatusCode)
            return -1;
        var replicas = (JsonArray)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        return replicas.Count(r => r!["status"]!.GetValue<string>() == "READY");
    }
}
