using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using SkyServe.Controller.Hosting;
using SkyServe.Providers.Local;
using SkyServe.Testing;

namespace SkyServe.Integration.Tests;

/// <summary>
/// Killing the controller in the middle of launches and starting it again never yields two machines for
/// one replica; machines nobody owns (a purged service) are collected by the garbage-collection job.
/// </summary>
public sealed class CrashSafetyTests : IDisposable
{
    private const string Token = "crash-test-token";
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    private Dictionary<string, string> Settings(int port) => new()
    {
        ["DataDirectory"] = data.Path,
        ["Urls"] = $"http://127.0.0.1:{port}",
        ["ApiToken"] = Token,
        ["ConfigDirectory"] = RepoPaths.Config,
        ["LocalZonesFile"] = ZonesFile(),
        ["Reconcile:Interval"] = "00:00:00.250",
        ["Jobs:OrphanCollection"] = "00:00:01",
        ["Jobs:OrphanGrace"] = "00:00:01",
    };

    /// <summary>On-demand machines take 2 s to provision: long enough to kill the controller while launches are in flight.</summary>
    private string ZonesFile()
    {
        var path = Path.Combine(data.Path, "zones.yaml");
        File.WriteAllText(path, "provisioning_seconds: 2\nzones:\n  - infra: aws/us-east-1/us-east-1a\n");
        return path;
    }

    private const string Spec = """
        service:
          readiness_probe: /ready
          replicas: 3
          ports: 8080
        resources:
          cloud: aws
          cpus: 8
        """;

    [Fact]
    public async Task A_controller_killed_mid_launch_never_leaves_two_machines_for_a_replica_nor_an_orphan()
    {
        var port = FreePort.Next();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        try
        {
            await using (var first = await ControllerProcess.StartAsync(Settings(port)))
            {
                await PostAsync(http, "svc", Spec);
                await WaitAsync(http, "svc", r => r.Any(x => x!["status"]!.GetValue<string>() is "PENDING" or "PROVISIONING"), "launches in flight");
                first.Kill();
            }
            var killedWith = (await MachinesAsync()).Count;

            await using (var second = await ControllerProcess.StartAsync(Settings(port)))
            {
                await WaitAsync(http, "svc", r => r.Count(x => x!["status"]!.GetValue<string>() == "READY") == 3, "3 READY replicas after the restart");
                var replicas = await ReplicasAsync(http, "svc");
                var owned = replicas.Select(r => r!["instance_id"]!.GetValue<string>()).ToList();
                Assert.Equal(3, owned.Distinct().Count());
                var machines = await MachinesAsync();
                Assert.Equal(owned.Order(), machines.Order()); // exactly one machine per replica, none extra
                Assert.True(killedWith <= 3, $"{killedWith} machines existed when the controller was killed");

                // Purge terminates a service's machines at once (the garbage collector would take the ones it missed).
                await PostAsync(http, "gone", Spec.Replace("replicas: 3", "replicas: 1"));
                await WaitAsync(http, "gone", r => r.Any(x => x!["status"]!.GetValue<string>() == "READY"), "the second service");
                var orphan = (await ReplicasAsync(http, "gone")).Single()!["instance_id"]!.GetValue<string>();
                Assert.True((await http.DeleteAsync("/api/v1/services/gone?purge=true")).IsSuccessStatusCode);
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
                while ((await MachinesAsync()).Contains(orphan) || !second.Output.Contains($"terminated machine {orphan} of purged service gone"))
                {
                    Assert.True(DateTime.UtcNow < deadline, $"the purged service's machine {orphan} was not terminated\n{second.Output}");
                    await Task.Delay(250);
                }
                Assert.Equal(owned.Order(), (await MachinesAsync()).Order());
            }
        }
        finally
        {
            await using var local = await LocalRuntimeSetup.StartAsync(
                new ControllerOptions { DataDirectory = data.Path, ConfigDirectory = RepoPaths.Config, LocalZonesFile = ZonesFile() }, NullLogger.Instance);
            await local.TerminateAllAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_stopping_controller_starts_no_new_work_and_a_long_poll_does_not_hold_it_up()
    {
        var port = FreePort.Next();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        try
        {
            DateTime signalled;
            await using (var controller = await ControllerProcess.StartAsync(Settings(port)))
            {
                // A load balancer's long poll is open, as in `local start`: the web server waits for open requests before
                // the reconcile loop is told to stop, so that loop must stop on the shutdown signal itself.
                var revision = JsonNode.Parse(await http.GetStringAsync("/api/v1/lb/routes"))!["revision"]!.GetValue<string>();
                var longPoll = http.GetAsync($"/api/v1/lb/routes?since={Uri.EscapeDataString(revision)}&wait_seconds=100");
                await PostAsync(http, "svc", Spec);
                await WaitAsync(http, "svc", r => r.Any(x => x!["status"]!.GetValue<string>() == "PROVISIONING"), "launches in flight");

                signalled = DateTime.UtcNow;
                await controller.TerminateAsync();
                Assert.True(await controller.ExitedWithinAsync(TimeSpan.FromSeconds(20)), $"the controller did not stop\n{controller.Output}");
                Assert.True(longPoll.IsCompleted, "the long poll was still open when the controller exited");
            }

            // Read what happened from the database, through a controller that does not reconcile.
            var readOnly = new Dictionary<string, string>(Settings(port)) { ["Reconcile:Enabled"] = "false" };
            await using var reader = await ControllerProcess.StartAsync(readOnly);
            var events = (JsonArray)JsonNode.Parse(await http.GetStringAsync("/api/v1/services/svc/events"))!;
            var late = events.Where(e => AsUtc(e!["at"]!.GetValue<DateTime>()) > signalled.AddSeconds(1)).ToList();
            Assert.True(late.Count == 0, $"transitions after the stop signal ({signalled:O}): {new JsonArray(late.Select(e => e!.DeepClone()).ToArray()).ToJsonString()}");
        }
        finally
        {
            await using var local = await LocalRuntimeSetup.StartAsync(
                new ControllerOptions { DataDirectory = data.Path, ConfigDirectory = RepoPaths.Config, LocalZonesFile = ZonesFile() }, NullLogger.Instance);
            await local.TerminateAllAsync(CancellationToken.None);
        }
    }

    private static DateTime AsUtc(DateTime at) => at.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(at, DateTimeKind.Utc) : at.ToUniversalTime();

    /// <summary>Live machines of the local runtime, from its own registry (what the "cloud" has).</summary>
    private async Task<List<string>> MachinesAsync()
    {
        var state = new LocalStateStore(Path.Combine(data.Path, "local")).Load();
        await Task.CompletedTask;
        return state?.Machines.Where(m => m.State != SkyServe.Providers.MachineState.Terminated).Select(m => m.Id).ToList() ?? [];
    }

    private static async Task PostAsync(HttpClient http, string name, string spec)
    {
        var response = await http.PostAsync($"/api/v1/services?name={name}", new StringContent(spec, Encoding.UTF8, "application/yaml"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonArray> ReplicasAsync(HttpClient http, string name) =>
        (JsonArray)JsonNode.Parse(await http.GetStringAsync($"/api/v1/services/{name}/replicas?all=true"))!;

    private static async Task WaitAsync(HttpClient http, string name, Func<JsonArray, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var replicas = await ReplicasAsync(http, name);
            if (condition(replicas))
                return;
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}: {replicas.ToJsonString()}");
            await Task.Delay(50);
        }
    }
}
