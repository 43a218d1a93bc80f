using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Domain;
using SkyServe.LoadBalancer.Hosting;
using SkyServe.Testing;

namespace SkyServe.LoadBalancer.Tests;

/// <summary>
/// The load balancer following a real controller (its READY sets over the long-poll contract). The
/// reconcile loop is off, so the test sets replica states itself, as probes would.
/// </summary>
public sealed class ControllerModeTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private readonly List<Backend> backends = [];
    private WebApplication controller = null!;
    private HttpClient api = null!;
    private string controllerUrl = "";
    private string token = "";

    public async Task InitializeAsync()
    {
        var options = new ControllerOptions
        {
            DataDirectory = data.Path, Urls = "http://127.0.0.1:0", Reconcile = new ReconcileOptions { Enabled = false },
        };
        controller = await ControllerHost.BuildAsync(options);
        await controller.StartAsync();
        controllerUrl = controller.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        token = options.ApiToken!;
        api = new HttpClient { BaseAddress = new Uri(controllerUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var name in new[] { "a", "b" })
            backends.Add(await Backend.StartAsync(name));
    }

    public async Task DisposeAsync()
    {
        foreach (var backend in backends)
            await backend.DisposeAsync();
        api.Dispose();
        await controller.StopAsync();
        await controller.DisposeAsync();
        data.Dispose();
    }

    private Task<RunningLoadBalancer> StartLoadBalancerAsync() => RunningLoadBalancer.StartAsync(new LoadBalancerOptions
    {
        ControllerUrl = controllerUrl, ControllerToken = token, StatsInterval = TimeSpan.FromMilliseconds(200),
        FailedReplicaCooldown = TimeSpan.FromMilliseconds(500),
    });

    /// <param name="more">Top-level YAML appended to the spec (e.g. a <c>model:</c> section).</param>
    private async Task CreateServiceAsync(string name, string replicaPolicy = "replicas: 2", string more = "")
    {
        var spec = $"service:\n  readiness_probe: /ready\n  {replicaPolicy.Replace("\n", "\n  ")}\n  ports: 8080\nresources:\n  cpus: 2\n{more}";
        var response = await api.PostAsync($"/api/v1/services?name={name}", new StringContent(spec, Encoding.UTF8, "application/yaml"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Adds a replica row pointing at a backend, in the given state, as the reconcile loop would after probing it.</summary>
    private Task<int> AddReplicaAsync(string service, Backend backend, ReplicaStatus status = ReplicaStatus.READY) => WriteAsync(async db =>
    {
        var owner = await db.Services.SingleAsync(s => s.Name == service);
        var now = DateTime.UtcNow;
        var replica = new ReplicaRecord
        {
            ServiceId = owner.Id, ReplicaId = owner.NextReplicaId++, Version = 1, Status = status, Cloud = "aws", Region = "us-east-1",
            Zone = "us-east-1a", LaunchToken = Guid.NewGuid(), Endpoint = backend.Url, InstanceId = $"m-{backend.Name}", CreatedAt = now, StatusChangedAt = now,
        };
        db.Replicas.Add(replica);
        await db.SaveChangesAsync();
        return replica.ReplicaId;
    });

    private Task SetStatusAsync(string service, int replicaId, ReplicaStatus status) => WriteAsync(async db =>
    {
        var replica = await db.Replicas.SingleAsync(r => r.ReplicaId == replicaId && db.Services.Any(s => s.Id == r.ServiceId && s.Name == service));
        replica.Status = status;
        await db.SaveChangesAsync();
        return 0;
    });

    /// <summary>
    /// One write in a fresh scope, tried again when the row changed meanwhile (the load balancer's first stats
    /// report writes the service's endpoint), as the reconcile loop's next pass would.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<ControllerDb, Task<T>> write)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = controller.Services.CreateAsyncScope();
            try
            {
                return await write(scope.ServiceProvider.GetRequiredService<ControllerDb>());
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
            }
        }
    }

    /// <summary>Time until the load balancer's answers satisfy the condition (polling every 20 ms).</summary>
    private static async Task<TimeSpan> TimeUntilAsync(HttpClient client, string path, Func<HttpResponseMessage, string, bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            using var response = await client.GetAsync(path);
            if (condition(response, await response.Content.ReadAsStringAsync()))
                return clock.Elapsed;
            await Task.Delay(20);
        }
        throw new TimeoutException($"{path} did not change within {limit}");
    }

    [Fact]
    public async Task A_change_in_the_ready_set_is_followed_within_a_second()
    {
        await CreateServiceAsync("chat");
        await using var lb = await StartLoadBalancerAsync();
        await TimeUntilAsync(lb.Client, "/chat/x", (r, _) => r.StatusCode == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(5));

        var a = await AddReplicaAsync("chat", backends[0]);
        var added = await TimeUntilAsync(lb.Client, "/chat/x", (r, body) => r.IsSuccessStatusCode && body.StartsWith("a|"), TimeSpan.FromSeconds(5));
        var b = await AddReplicaAsync("chat", backends[1]);
        var second = await TimeUntilAsync(lb.Client, "/chat/x", (r, body) => body.StartsWith("b|"), TimeSpan.FromSeconds(5));
        await SetStatusAsync("chat", a, ReplicaStatus.NOT_READY);
        var removed = await LastRoutedToAsync(lb, "a", TimeSpan.FromSeconds(5));
        Assert.True(added < TimeSpan.FromSeconds(1), $"a new READY replica took {added.TotalMilliseconds:0} ms to get traffic");
        Assert.True(second < TimeSpan.FromSeconds(1), $"the second replica took {second.TotalMilliseconds:0} ms");
        Assert.True(removed < TimeSpan.FromSeconds(1), $"a NOT_READY replica kept traffic for {removed.TotalMilliseconds:0} ms");
        Assert.True(b > a);
    }

    [Fact]
    public async Task A_deleted_service_leaves_the_load_balancer_within_a_second_and_the_others_are_left_as_they_were()
    {
        await CreateServiceAsync("chat");
        await CreateServiceAsync("other");
        await AddReplicaAsync("chat", backends[0]);
        await AddReplicaAsync("other", backends[1]);
        await using var lb = await StartLoadBalancerAsync();
        await TimeUntilAsync(lb.Client, "/chat/x", (r, body) => r.IsSuccessStatusCode && body.StartsWith("a|"), TimeSpan.FromSeconds(5));
        await TimeUntilAsync(lb.Client, "/other/x", (r, body) => r.IsSuccessStatusCode && body.StartsWith("b|"), TimeSpan.FromSeconds(5));
        var table = lb.Services.GetRequiredService<Routing.RouteTable>();
        var chat = table.Find("chat");

        var response = await api.DeleteAsync("/api/v1/services/other"); // a live replica: SHUTTING_DOWN, out of the routes
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var removed = await TimeUntilAsync(lb.Client, "/other/x", (r, _) => r.StatusCode == HttpStatusCode.NotFound, TimeSpan.FromSeconds(5));
        Assert.True(removed < TimeSpan.FromSeconds(1), $"a deleted service kept its route for {removed.TotalMilliseconds:0} ms");
        // The delta named only the removed service: chat's route is the very same object, not rebuilt.
        Assert.Same(chat, table.Find("chat"));
        Assert.StartsWith("a|", await lb.Client.GetStringAsync("/chat/x"));
    }

    /// <summary>
    /// Sends requests until ten in a row avoid the backend, and returns when the last request it answered was
    /// sent (the routing decision came later, so this is how long the backend stayed in rotation at least;
    /// the ten confirming requests are not counted).
    /// </summary>
    private static async Task<TimeSpan> LastRoutedToAsync(RunningLoadBalancer lb, string name, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var last = TimeSpan.Zero;
        for (var avoided = 0; avoided < 10;)
        {
            Assert.True(clock.Elapsed < limit, $"backend {name} kept getting traffic for {limit}");
            var sent = clock.Elapsed;
            if ((await lb.Client.GetStringAsync("/chat/x")).StartsWith(name + "|"))
                (last, avoided) = (sent, 0);
            else
                avoided++;
        }
        return last;
    }

    [Fact]
    public async Task Routing_goes_on_while_the_controller_is_away()
    {
        await CreateServiceAsync("chat");
        await AddReplicaAsync("chat", backends[0]);
        await using var lb = await StartLoadBalancerAsync();
        await TimeUntilAsync(lb.Client, "/chat/x", (r, _) => r.IsSuccessStatusCode, TimeSpan.FromSeconds(5));
        await controller.StopAsync();
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal("a", (await lb.Client.GetStringAsync("/chat/x")).Split('|')[0]);
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task No_ready_replica_is_a_503_with_a_clear_json_body_and_host_names_route()
    {
        await CreateServiceAsync("empty");
        await using var lb = await StartLoadBalancerAsync();
        await Task.Delay(500);
        var response = await lb.Client.GetAsync("/empty/v1/models");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("no_replica", error["type"]!.GetValue<string>());
        Assert.Contains("empty", error["message"]!.GetValue<string>());

        using var byHost = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        byHost.Headers.Host = $"empty.localhost:{new Uri(lb.Url).Port}";
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await lb.Client.SendAsync(byHost)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await lb.Client.GetAsync("/nothing/here")).StatusCode);
    }

    [Fact]
    public async Task A_scaled_to_zero_service_holds_requests_until_a_replica_is_ready_and_reports_the_demand()
    {
        await CreateServiceAsync("lazy", "replica_policy:\n  min_replicas: 0\n  max_replicas: 1\n  target_qps_per_replica: 1");
        await using var lb = await StartLoadBalancerAsync();
        await Task.Delay(500);
        var waiting = lb.Client.GetStringAsync("/lazy/hello");
        // A completion waits too (it takes the resumable path).
        var completion = lb.Client.PostAsync("/lazy/v1/completions", new StringContent("{\"prompt\":\"x\"}", Encoding.UTF8, "application/json"));
        await Task.Delay(1000);
        Assert.False(waiting.IsCompleted, "the request should wait for a replica");
        Assert.False(completion.IsCompleted, "the completion should wait for a replica");
        // The waiting request reached the controller as demand, which is what scales a service from zero.
        await using (var scope = controller.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
            var lazy = await db.Services.SingleAsync(s => s.Name == "lazy");
            Assert.True(await controller.Services.GetRequiredService<RequestRates>().RequestsPerSecondAsync(db, lazy.Id, CancellationToken.None) > 0);
        }
        await AddReplicaAsync("lazy", backends[1]);
        Assert.StartsWith("b|GET|/hello", await waiting.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.StartsWith("b|POST|/v1/completions|", await (await completion.WaitAsync(TimeSpan.FromSeconds(5))).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_failing_replica_is_reported_and_leaves_rotation_at_the_controller()
    {
        await CreateServiceAsync("chat");
        await backends[1].KillAsync();
        var dead = await AddReplicaAsync("chat", backends[1]);
        await AddReplicaAsync("chat", backends[0]);
        await using var lb = await StartLoadBalancerAsync();
        await TimeUntilAsync(lb.Client, "/chat/x", (r, _) => r.IsSuccessStatusCode, TimeSpan.FromSeconds(5));
        for (var i = 0; i < 6; i++)
            Assert.Equal("a", (await lb.Client.GetStringAsync("/chat/x")).Split('|')[0]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        string status;
        do
        {
            var replicas = JsonNode.Parse(await api.GetStringAsync("/api/v1/services/chat/replicas"))!.AsArray();
            status = replicas.Single(r => r!["replica_id"]!.GetValue<int>() == dead)!["status"]!.GetValue<string>();
            await Task.Delay(100);
        }
        while (status != "NOT_READY" && DateTime.UtcNow < deadline);
        Assert.Equal("NOT_READY", status);

        // Its endpoint is what the controller now shows for the service (once the load balancer has reported in).
        string? endpoint = null;
        for (var until = DateTime.UtcNow + TimeSpan.FromSeconds(10); endpoint is null && DateTime.UtcNow < until; await Task.Delay(100))
            endpoint = JsonNode.Parse(await api.GetStringAsync("/api/v1/services/chat"))!["endpoint"]?.GetValue<string>();
        Assert.Equal($"http://chat.localhost:{new Uri(lb.Url).Port}", endpoint);
    }

    [Fact]
    public async Task A_replicas_management_paths_never_reach_it_but_its_api_does()
    {
        await CreateServiceAsync("ext");
        await AddReplicaAsync("ext", backends[0]);
        await using var lb = await StartLoadBalancerAsync();
        await TimeUntilAsync(lb.Client, "/ext/say", (r, _) => r.IsSuccessStatusCode, TimeSpan.FromSeconds(5));
        var seenBefore = backends[0].Seen.Count;

        foreach (var path in new[] { "/ext/logs?tail=100000", "/ext/logs?tail=100000&follow=true", "/ext/health", "/ext/metrics", "/ext/ready" })
        {
            using var response = await lb.Client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
            await SecurityTests.AssertErrorAsync(response, "not_found", 404);
            // The same by host name (ext.localhost/logs).
            using var byHost = new HttpRequestMessage(HttpMethod.Get, path["/ext".Length..]);
            byHost.Headers.Host = $"ext.localhost:{new Uri(lb.Url).Port}";
            Assert.Equal(HttpStatusCode.NotFound, (await lb.Client.SendAsync(byHost)).StatusCode);
        }
        Assert.Equal(seenBefore, backends[0].Seen.Count); // none of them reached the replica

        // Its API, and (not being a built-in engine) any other path of the engine behind the agent, still do.
        using var chat = await lb.Client.PostAsync("/ext/v1/chat/completions", new StringContent("{}", Encoding.UTF8, "application/json"));
        Assert.StartsWith("a|POST|/v1/chat/completions|{}", await chat.Content.ReadAsStringAsync());
        Assert.StartsWith("a|GET|/tokenize", await lb.Client.GetStringAsync("/ext/tokenize"));
    }

    [Fact]
    public async Task A_built_in_engine_service_is_reachable_only_at_its_openai_paths()
    {
        await CreateServiceAsync("llm", more: "model:\n  path: tests/fixtures/tiny-llama\n");
        await AddReplicaAsync("llm", backends[1]);
        await using var lb = await StartLoadBalancerAsync();
        await TimeUntilAsync(lb.Client, "/llm/v1/models", (r, _) => r.IsSuccessStatusCode, TimeSpan.FromSeconds(5));

        Assert.StartsWith("b|GET|/v1/models", await lb.Client.GetStringAsync("/llm/v1/models"));
        foreach (var path in new[] { "/llm/v1/completions", "/llm/v1/chat/completions" })
        {
            using var response = await lb.Client.PostAsync(path, new StringContent("{}", Encoding.UTF8, "application/json"));
            Assert.StartsWith($"b|POST|{path["/llm".Length..]}", await response.Content.ReadAsStringAsync());
        }
        var seenBefore = backends[1].Seen.Count;
        // The agent would answer anything else itself (its echo, its readiness, its management paths).
        foreach (var path in new[] { "/llm/", "/llm/echo", "/llm/logs", "/llm/health", "/llm/metrics", "/llm/v1/embeddings" })
        {
            using var response = await lb.Client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
            await SecurityTests.AssertErrorAsync(response, "not_found", 404);
        }
        Assert.Equal(seenBefore, backends[1].Seen.Count);
    }

    [Fact]
    public async Task The_routes_page_needs_the_token_the_load_balancer_holds_and_health_does_not()
    {
        await CreateServiceAsync("chat");
        await AddReplicaAsync("chat", backends[0]);
        await using var lb = await StartLoadBalancerAsync();
        await TimeUntilAsync(lb.Client, "/chat/x", (r, _) => r.IsSuccessStatusCode, TimeSpan.FromSeconds(5));

        using var anonymous = await lb.PageAsync("/-/routes", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        await SecurityTests.AssertErrorAsync(anonymous, "unauthorized", 401);
        Assert.DoesNotContain(backends[0].Url.TrimEnd('/'), await anonymous.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await lb.PageAsync("/-/routes", "not-" + token)).StatusCode);

        using var routes = await lb.PageAsync("/-/routes", token);
        Assert.Equal(HttpStatusCode.OK, routes.StatusCode);
        var chat = JsonNode.Parse(await routes.Content.ReadAsStringAsync())!.AsArray().Single()!;
        Assert.Equal(backends[0].Url.TrimEnd('/'), chat["replicas"]![0]!["url"]!.GetValue<string>());
        Assert.False(chat["builtInEngine"]!.GetValue<bool>());

        using var health = await lb.PageAsync("/-/health", null);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await health.Content.ReadAsStringAsync());
    }
}
