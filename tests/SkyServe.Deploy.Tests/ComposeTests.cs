using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using SkyServe.Testing;
using Xunit.Abstractions;

namespace SkyServe.Deploy.Tests;

/// <summary>
/// The deployment as a team would run it, on a Docker daemon of the test's own: deploy/images.sh builds every image
/// (the debootstrapped base image from its cache after the first run on a machine), `docker-compose up -d` brings up
/// PostgreSQL, two controllers, two load balancers and Prometheus on free loopback ports; the CLI creates a service
/// through controller 1; the model answers through both load balancers; Prometheus scrapes both load balancers and every
/// agent; a controller is killed under load without a failed request; the project restarted keeps the service; and
/// `docker-compose down` leaves no container.
/// </summary>
public sealed class ComposeTests(ITestOutputHelper output)
{
    private const string Service = "deploy-chat";

    // Two on-demand replicas of the example model on the local runtime (no spot market: no preemption mid-test).
    private const string Spec = """
        service:
          readiness_probe:
            path: /v1/models
            initial_delay_seconds: 120
          replicas: 2
          load_balancing_policy: least_load
        resources:
          cloud: local
          cpus: 2+
        model:
          path: models/tiny-chat
          engine: cpu
          max_batch_size: 4
        """;

    private static readonly TimeSpan Startup = TimeSpan.FromMinutes(3);
    private readonly List<(string Step, TimeSpan Took)> timings = [];

    [Fact]
    public async Task Images_and_compose_bring_up_the_control_plane_that_serves_through_both_load_balancers_survives_a_controller_kill_and_a_restart()
    {
        var whole = Stopwatch.StartNew();
        var docker = await Timed("dockerd start", DockerEngine.StartAsync);
        int? daemonPid = docker.Pid;
        using var work = new TempDirectory();
        var project = new ComposeProject(docker, work.Path, $"skyservetest{Environment.ProcessId}");
        try
        {
            await Timed("deploy/images.sh", async () =>
            {
                var built = await ProcessRunner.RunAsync("bash", [Path.Combine(RepoPaths.Root, "deploy", "images.sh")], docker.Environment,
                    timeout: TimeSpan.FromMinutes(9));
                output.WriteLine(built.Stderr);
                Assert.True(built.ExitCode == 0, $"deploy/images.sh exited {built.ExitCode}:\n{built.Output}\n{docker.LogTail}");
                return 0;
            });

            // The controllers' settings as shipped in deploy/controller.env (replicas as agent containers on this daemon),
            // with a faster resync.
            var shipped = File.ReadAllLines(Path.Combine(RepoPaths.Root, "deploy", "controller.env"))
                .Where(l => l.Length > 0 && !l.StartsWith('#')).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            shipped["SkyServe__Reconcile__Interval"] = "00:00:01";
            await project.PrepareAsync(shipped);
            await Timed("docker-compose up -d (to healthy)", async () =>
            {
                await project.RunAsync("up", "-d");
                await project.WaitHealthyAsync(Startup);
                return 0;
            });

            using var api1 = Client(project.Controller1Port, project.ApiToken);
            using var api2 = Client(project.Controller2Port, project.ApiToken);
            using var lb1 = Client(project.Lb1Port);
            using var lb2 = Client(project.Lb2Port);

            // deploy/secrets.sh derived the load balancers' token as the controllers do.
            var given = JsonNode.Parse(await api1.GetStringAsync("/api/v1/tokens/load-balancer"))!["token"]!.GetValue<string>();
            Assert.Equal(given, project.LbToken);

            // The CLI, pointed at controller 1 as a user would (SKYSERVE_URL / SKYSERVE_TOKEN), creates the service.
            var spec = Path.Combine(work.Path, "deploy-chat.yaml");
            await File.WriteAllTextAsync(spec, Spec);
            var cli = await Cli(project, "up", spec, "-n", Service);
            Assert.True(cli.ExitCode == 0, cli.Output);

            await Timed("2 replicas READY (through controller 2)", async () =>
            {
                await WaitAsync(async () => (await ReadyReplicasAsync(api2)).Count == 2, Startup,
                    async () => $"replicas: {await api2.GetStringAsync($"/api/v1/services/{Service}/replicas")}\n{await project.RunAsync("logs", "--no-color", "--tail", "60", "controller-1", "controller-2")}");
                return 0;
            });
            var status = await Cli(project, "status", Service);
            Assert.True(status.ExitCode == 0, status.Output);
            output.WriteLine(status.Stdout);

            // The model answers through each load balancer.
            foreach (var (lb, name) in new[] { (lb1, "load-balancer-1"), (lb2, "load-balancer-2") })
            {
                string answer = "";
                await WaitAsync(async () =>
                {
                    using var response = await lb.PostAsync($"/{Service}/v1/chat/completions", new StringContent(
                        """{"messages": [{"role": "user", "content": "What is SkyServe?"}], "max_tokens": 24}""", Encoding.UTF8, "application/json"));
                    answer = await response.Content.ReadAsStringAsync();
                    return response.StatusCode == HttpStatusCode.OK;
                }, TimeSpan.FromSeconds(30), () => Task.FromResult($"{name} answering: {answer}"));
                var content = JsonNode.Parse(answer)!["choices"]![0]!["message"]!["content"]!.GetValue<string>();
                Assert.False(string.IsNullOrWhiteSpace(content));
                output.WriteLine($"{name}: {content}");
            }

            // Prometheus scrapes both load balancers and both agents (found through the controllers), every target up.
            using var prometheus = Client(project.PrometheusPort);
            await Timed("Prometheus: every target up", async () =>
            {
                string targets = "";
                await WaitAsync(async () =>
                {
                    targets = await prometheus.GetStringAsync("/api/v1/targets?state=active");
                    var active = JsonNode.Parse(targets)!["data"]!["activeTargets"]!.AsArray();
                    int Up(string job) => active.Count(t => t!["labels"]!["job"]!.GetValue<string>() == job && t["health"]!.GetValue<string>() == "up");
                    return active.All(t => t!["health"]!.GetValue<string>() == "up") && Up("skyserve-load-balancer") == 2 && Up("skyserve-agent") == 2;
                }, TimeSpan.FromSeconds(90), () => Task.FromResult($"targets: {targets}"));
                return 0;
            });

            // The replicas are containers of the Docker provider, not of the compose project.
            var agents = await AgentContainersAsync(docker);
            Assert.True(agents.Count == 2, $"agent containers: {string.Join(", ", agents)}");

            // Kill the controller that leads (holds the reconcile lease) under load through both load balancers: no request
            // may fail, no replica may change; the standby takes over and adopts the replicas.
            // Which one leads: its /metrics says so (the lease's owner names a process id of its own pid namespace).
            var apis = new Dictionary<string, HttpClient> { ["controller-1"] = api1, ["controller-2"] = api2 };
            var leader = await LeadsAsync(api1) ? "controller-1" : "controller-2";
            Assert.True(await LeadsAsync(apis[leader]), "one of the controllers leads");
            var standby = apis.Keys.Single(k => k != leader);
            var before = await ReadyReplicasAsync(api1);
            var load = new LoadCounter();
            using (var stopLoad = new CancellationTokenSource())
            {
                var loops = new[] { lb1, lb2 }.SelectMany(lb => Enumerable.Range(0, 2).Select(_ => load.LoopAsync(lb, $"/{Service}/v1/models", stopLoad.Token))).ToList();
                await WaitAsync(() => Task.FromResult(load.Succeeded > 50), TimeSpan.FromSeconds(30), () => Task.FromResult("requests through both load balancers"));
                await project.RunAsync("kill", leader);
                var afterKill = load.Succeeded;
                var killedAt = Stopwatch.StartNew();
                await WaitAsync(() => LeadsAsync(apis[standby]), TimeSpan.FromSeconds(15), () => Task.FromResult($"{standby} taking the lease over"));
                output.WriteLine($"{standby} leads {killedAt.Elapsed.TotalSeconds:0.0} s after {leader} was killed");
                await Task.Delay(TimeSpan.FromSeconds(8)); // several resyncs of the new leader
                var survivor = standby == "controller-1" ? api1 : api2;
                Assert.Equal(before, await ReadyReplicasAsync(survivor));
                Assert.Equal(agents, await AgentContainersAsync(docker));
                Assert.True(load.Succeeded > afterKill + 50, $"requests after the kill: {load.Succeeded - afterKill}");
                await stopLoad.CancelAsync();
                await Task.WhenAll(loops);
            }
            output.WriteLine($"killed {leader} (the lease holder; {standby} took over) under load: {load.Succeeded} requests, {load.Failed} failed");
            Assert.True(load.Failed == 0, $"{load.Failed} of {load.Succeeded + load.Failed} requests failed; first: {load.FirstFailure}");

            // Compose brings the killed controller back.
            await project.RunAsync("up", "-d");
            await project.WaitHealthyAsync(Startup);

            // The whole project stopped and started again (containers recreated, volumes kept): the service is still
            // there and serves again through both load balancers.
            await Timed("restart of the project (down, up -d, READY again)", async () =>
            {
                await project.RunAsync("down");
                Assert.Empty(await project.AllContainersAsync());
                await project.RunAsync("up", "-d");
                await project.WaitHealthyAsync(Startup);
                await WaitAsync(async () => (await ReadyReplicasAsync(api1)).Count == 2, Startup,
                    async () => $"replicas after the restart: {await api1.GetStringAsync($"/api/v1/services/{Service}/replicas")}");
                foreach (var lb in new[] { lb1, lb2 })
                    await WaitAsync(async () => (await lb.GetAsync($"/{Service}/v1/models")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30),
                        () => Task.FromResult("the load balancers routing after the restart"));
                return 0;
            });
            var services = JsonNode.Parse(await api2.GetStringAsync("/api/v1/services"))!.AsArray();
            Assert.Equal(Service, Assert.Single(services)!["name"]!.GetValue<string>());

            // Tearing the service down removes its agent containers; then `down` leaves nothing on the daemon.
            Assert.True((await api1.DeleteAsync($"/api/v1/services/{Service}")).IsSuccessStatusCode);
            await WaitAsync(async () => (await AgentContainersAsync(docker)).Count == 0, TimeSpan.FromSeconds(90),
                async () => $"agent containers left: {string.Join(", ", await AgentContainersAsync(docker))}");
            await Timed("docker-compose down", async () =>
            {
                await project.RunAsync("down", "--volumes");
                return 0;
            });
            Assert.Empty(await project.AllContainersAsync());
            Assert.Empty((await docker.DockerCheckedAsync("ps", "-aq")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        catch
        {
            try
            {
                output.WriteLine(await project.RunAsync("logs", "--no-color", "--tail", "80"));
            }
            catch (Exception e)
            {
                output.WriteLine($"(no compose logs: {e.Message})");
            }
            throw;
        }
        finally
        {
            try
            {
                if ((await project.AllContainersAsync()).Count > 0)
                    await project.RunAsync("down", "--volumes", "--timeout", "5");
            }
            catch (Exception e)
            {
                output.WriteLine($"cleaning up: {e.Message}");
            }
            await Timed("dockerd stop and its folder removed", async () =>
            {
                await docker.DisposeAsync();
                output.WriteLine($"dockerd stopped in {docker.StopTime.TotalSeconds:0.0} s, its folder removed in {docker.RemoveTime.TotalSeconds:0.0} s");
                return 0;
            });
            foreach (var (step, took) in timings)
                output.WriteLine($"{step,-50} {took.TotalSeconds,7:0.0} s");
            output.WriteLine($"{"whole test",-50} {whole.Elapsed.TotalSeconds,7:0.0} s");
        }
        if (daemonPid is { } pid)
            Assert.False(Directory.Exists($"/proc/{pid}"), $"dockerd (pid {pid}) is still running");
        Assert.True(whole.Elapsed < TimeSpan.FromMinutes(15), $"the deployment test took {whole.Elapsed.TotalMinutes:0.0} minutes");
    }

    /// <summary>Whether the controller holds the reconcile lease, as its metrics page says.</summary>
    private static async Task<bool> LeadsAsync(HttpClient api)
    {
        try
        {
            return (await api.GetStringAsync("/metrics")).Split('\n').Any(l => l.StartsWith("skyserve_controller_leader{", StringComparison.Ordinal) && l.TrimEnd().EndsWith(" 1", StringComparison.Ordinal));
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary>The Docker provider's agent containers on the test's daemon (by the provider's label), sorted.</summary>
    private static async Task<IReadOnlyList<string>> AgentContainersAsync(DockerEngine docker) =>
        (await docker.DockerCheckedAsync("ps", "-q", "--filter", "label=skyserve.client-token")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order().ToList();

    private async Task<T> Timed<T>(string step, Func<Task<T>> body)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            return await body();
        }
        finally
        {
            timings.Add((step, watch.Elapsed));
            output.WriteLine($"{step}: {watch.Elapsed.TotalSeconds:0.0} s");
        }
    }

    private static Task<ProcessRunner.Result> Cli(ComposeProject project, params string[] args) =>
        ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "skyserve.dll"), .. args], new Dictionary<string, string>
        {
            ["SKYSERVE_URL"] = $"http://127.0.0.1:{project.Controller1Port}",
            ["SKYSERVE_TOKEN"] = project.ApiToken,
            ["SKYSERVE_HOME"] = Path.Combine(project.Folder, "cli-home"),
            ["DOTNET_NOLOGO"] = "1",
        });

    private static HttpClient Client(int port, string? token = null)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Ids of the service's READY replicas, in order (none while the controller cannot answer).</summary>
    private static async Task<List<int>> ReadyReplicasAsync(HttpClient api)
    {
        try
        {
            using var response = await api.GetAsync($"/api/v1/services/{Service}/replicas");
            if (!response.IsSuccessStatusCode)
                return [];
            return [.. JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray()
                .Where(r => r!["status"]!.GetValue<string>() == "READY").Select(r => r!["replica_id"]!.GetValue<int>()).Order()];
        }
        catch (HttpRequestException)
        {
            return [];
        }
    }

    /// <summary>Polls once a second (each poll may start processes or cross containers) until true or the deadline.</summary>
    private static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                if (await condition())
                    return;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"not true within {timeout.TotalSeconds:0} s: {await describe()}");
            await Task.Delay(1000);
        }
    }
}
