using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Domain;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>POST /api/v1/agent/notices over a real Kestrel host: who may report, and what a report does to the replica.</summary>
public sealed class AgentNoticeApiTests : IDisposable
{
    // Within GCP's 30-second preemption window of now (whole seconds: the database keeps what it is given).
    private static readonly DateTimeOffset Deadline =
        new DateTimeOffset(DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero).AddSeconds(20);
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    private Task<ControllerServer> StartAsync() => ControllerServer.StartAsync(new ControllerOptions
    {
        DataDirectory = data.Path,
        Urls = "http://127.0.0.1:0",
        Reconcile = new Reconcile.ReconcileOptions { Enabled = false },
    });

    private static async Task<(Guid LaunchToken, int ReplicaId)> AddReplicaAsync(ControllerServer server, string machineId, ReplicaStatus status,
        bool isSpot = true)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        var service = await db.Services.SingleAsync(s => s.Name == "chat");
        var now = DateTime.UtcNow;
        var replica = new ReplicaRecord
        {
            ServiceId = service.Id, ReplicaId = service.NextReplicaId++, Version = service.CurrentVersion, Status = status,
            IsSpot = isSpot, Cloud = "gcp", Region = "us-central1", Zone = "us-central1-a", LaunchToken = Guid.NewGuid(),
            InstanceId = machineId, Endpoint = "http://127.0.0.1:9", HourlyPrice = 0.35m, CreatedAt = now, StatusChangedAt = now,
        };
        db.Replicas.Add(replica);
        await db.SaveChangesAsync();
        return (replica.LaunchToken, replica.ReplicaId);
    }

    private static Task<HttpResponseMessage> ReportAsync(ControllerServer server, string machineId, string? token,
        string kind = "preemption", DateTimeOffset? deadline = null)
    {
        var at = deadline ?? Deadline;
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/agent/notices")
        {
            Content = JsonContent.Create(new
            {
                machine_id = machineId, action = "terminate", kind, deadline = at, source = "gcp", received_at = at.AddSeconds(-30),
            }),
        };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return server.Anonymous.SendAsync(request);
    }

    [Fact]
    public async Task The_replicas_own_token_takes_it_out_of_rotation_once()
    {
        await using var server = await StartAsync();
        await server.Client.CreateAsync(Specs.Named("chat"));
        var (launchToken, replicaId) = await AddReplicaAsync(server, "m-ready", ReplicaStatus.READY);
        var token = server.Services.GetRequiredService<AgentCallback>().TokenFor(launchToken);

        var first = await ReportAsync(server, "m-ready", token);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(replicaId, (await first.ReadJsonAsync())["replica_id"]!.GetValue<int>());
        Assert.True((await first.ReadJsonAsync())["applied"]!.GetValue<bool>());

        var replica = (await (await server.Client.GetAsync("/api/v1/services/chat/replicas")).ReadJsonAsync()).AsArray().Single()!;
        Assert.Equal("NOT_READY", replica["status"]!.GetValue<string>());
        Assert.Equal(Deadline.UtcDateTime, replica["notice_deadline"]!.GetValue<DateTime>());
        var events = (await (await server.Client.GetAsync("/api/v1/services/chat/events")).ReadJsonAsync()).AsArray();
        Assert.Contains(events, e => e!["reason"]!.GetValue<string>().StartsWith("interruption notice (reported by the replica's agent)"));

        // A retried report (the first answer was lost) changes nothing.
        var again = await ReportAsync(server, "m-ready", token);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False((await again.ReadJsonAsync())["applied"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Only_the_replicas_token_or_the_api_token_may_report_and_the_agent_token_opens_nothing_else()
    {
        await using var server = await StartAsync();
        await server.Client.CreateAsync(Specs.Named("chat"));
        var (mine, _) = await AddReplicaAsync(server, "m-1", ReplicaStatus.READY);
        var (other, _) = await AddReplicaAsync(server, "m-2", ReplicaStatus.READY);
        var callback = server.Services.GetRequiredService<AgentCallback>();
        Assert.StartsWith("ska_", callback.TokenFor(mine));
        Assert.NotEqual(callback.TokenFor(mine), callback.TokenFor(other));

        await (await ReportAsync(server, "m-1", null)).AssertProblemAsync(401);
        await (await ReportAsync(server, "m-1", "ska_guess")).AssertProblemAsync(401);
        var forged = callback.TokenFor(mine)[..^1] + (callback.TokenFor(mine)[^1] == '0' ? '1' : '0');
        await (await ReportAsync(server, "m-1", forged)).AssertProblemAsync(401);
        await (await ReportAsync(server, "m-1", $"ska_{Guid.NewGuid():N}_{callback.TokenFor(mine).Split('_')[2]}")).AssertProblemAsync(401); // another launch token, same signature
        await (await ReportAsync(server, "m-1", callback.TokenFor(Guid.NewGuid()))).AssertProblemAsync(404); // a real token of a replica that is gone
        await (await ReportAsync(server, "m-unknown", server.Options.ApiToken)).AssertProblemAsync(404);

        using var withAgentToken = new HttpRequestMessage(HttpMethod.Get, "/api/v1/services");
        withAgentToken.Headers.Authorization = new AuthenticationHeaderValue("Bearer", callback.TokenFor(mine));
        await (await server.Anonymous.SendAsync(withAgentToken)).AssertProblemAsync(401);

        Assert.Equal(HttpStatusCode.Accepted, (await ReportAsync(server, "m-2", server.Options.ApiToken)).StatusCode); // an operator may report too
        var statuses = (await (await server.Client.GetAsync("/api/v1/services/chat/replicas")).ReadJsonAsync()).AsArray()
            .ToDictionary(r => r!["replica_id"]!.GetValue<int>(), r => r!["status"]!.GetValue<string>());
        Assert.Equal(["READY", "NOT_READY"], statuses.OrderBy(s => s.Key).Select(s => s.Value));

        // m-2's token is good for m-2 only: naming another machine with it is refused.
        await (await ReportAsync(server, "m-1", callback.TokenFor(other))).AssertProblemAsync(403);
        statuses = (await (await server.Client.GetAsync("/api/v1/services/chat/replicas")).ReadJsonAsync()).AsArray()
            .ToDictionary(r => r!["replica_id"]!.GetValue<int>(), r => r!["status"]!.GetValue<string>());
        Assert.Equal(["READY", "NOT_READY"], statuses.OrderBy(s => s.Key).Select(s => s.Value));
    }

    [Fact]
    public async Task A_machine_id_qualified_by_a_provider_set_is_found_from_the_agents_own_id()
    {
        await using var server = await StartAsync();
        await server.Client.CreateAsync(Specs.Named("chat"));
        var (launchToken, _) = await AddReplicaAsync(server, "gcp:m-3", ReplicaStatus.READY);
        await AddReplicaAsync(server, "azure:m-4", ReplicaStatus.STARTING);
        var callback = server.Services.GetRequiredService<AgentCallback>();

        Assert.Equal(HttpStatusCode.Accepted, (await ReportAsync(server, "m-3", callback.TokenFor(launchToken))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await ReportAsync(server, "m-4", server.Options.ApiToken)).StatusCode);
        var replicas = (await (await server.Client.GetAsync("/api/v1/services/chat/replicas")).ReadJsonAsync()).AsArray();
        Assert.All(replicas, r => Assert.Equal(Deadline.UtcDateTime, r!["notice_deadline"]!.GetValue<DateTime>()));
    }

    [Fact]
    public async Task A_notice_no_cloud_would_send_is_refused_and_changes_nothing()
    {
        await using var server = await StartAsync();
        await server.Client.CreateAsync(Specs.Named("chat"));
        var (onDemand, _) = await AddReplicaAsync(server, "m-od", ReplicaStatus.READY, isSpot: false);
        var (spot, _) = await AddReplicaAsync(server, "m-spot", ReplicaStatus.READY);
        var callback = server.Services.GetRequiredService<AgentCallback>();

        // The probe's forgery: a preemption notice for an on-demand machine with a deadline years away.
        var forged = await ReportAsync(server, "m-od", callback.TokenFor(onDemand), deadline: new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Contains("on-demand", (await forged.AssertProblemAsync(422))["detail"]!.GetValue<string>());
        await (await ReportAsync(server, "m-od", callback.TokenFor(onDemand))).AssertProblemAsync(422); // preemption, even in the window
        var far = await ReportAsync(server, "m-spot", callback.TokenFor(spot), deadline: DateTimeOffset.UtcNow.AddMinutes(10));
        Assert.Contains("notice window", (await far.AssertProblemAsync(422))["detail"]!.GetValue<string>());
        await (await ReportAsync(server, "m-spot", callback.TokenFor(spot), deadline: DateTimeOffset.UtcNow.AddHours(-1))).AssertProblemAsync(422);

        var replicas = (await (await server.Client.GetAsync("/api/v1/services/chat/replicas")).ReadJsonAsync()).AsArray();
        Assert.All(replicas, r => Assert.Equal("READY", r!["status"]!.GetValue<string>()));
        Assert.All(replicas, r => Assert.Null(r!["notice_deadline"]?.GetValue<DateTime?>()));

        // What GCP does send: host maintenance of an on-demand machine, 60 s ahead.
        Assert.Equal(HttpStatusCode.Accepted,
            (await ReportAsync(server, "m-od", callback.TokenFor(onDemand), kind: "maintenance", deadline: DateTimeOffset.UtcNow.AddSeconds(60))).StatusCode);
    }

    [Fact]
    public async Task The_load_balancer_token_reads_routes_and_posts_stats_and_nothing_else()
    {
        await using var server = await StartAsync();
        await server.Client.CreateAsync(Specs.Named("chat"));
        var (launchToken, _) = await AddReplicaAsync(server, "m-1", ReplicaStatus.READY);

        var given = await server.Client.GetAsync("/api/v1/tokens/load-balancer");
        var lbToken = (await given.ReadJsonAsync())["token"]!.GetValue<string>();
        Assert.StartsWith("skl_", lbToken);
        Assert.NotEqual(server.Options.ApiToken, lbToken);
        Task<HttpResponseMessage> Send(HttpMethod method, string path, string token, object? body = null)
        {
            var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return server.Anonymous.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Get, "/api/v1/lb/routes", lbToken)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent,
            (await Send(HttpMethod.Post, "/api/v1/lb/stats", lbToken, new { services = new[] { new { name = "chat", requests = 3 } } })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(HttpMethod.Get, "/api/v1/lb/routes", server.Options.ApiToken!)).StatusCode); // admin too

        await (await Send(HttpMethod.Get, "/api/v1/services", lbToken)).AssertProblemAsync(401);
        await (await Send(HttpMethod.Delete, "/api/v1/services/chat", lbToken)).AssertProblemAsync(401);
        await (await Send(HttpMethod.Get, "/api/v1/tokens/load-balancer", lbToken)).AssertProblemAsync(401);
        await (await ReportAsync(server, "m-1", lbToken)).AssertProblemAsync(401);
        await (await Send(HttpMethod.Get, "/api/v1/lb/routes", server.Services.GetRequiredService<AgentCallback>().TokenFor(launchToken))).AssertProblemAsync(401);
    }

    [Fact]
    public async Task A_report_without_machine_or_deadline_is_a_bad_request()
    {
        await using var server = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/agent/notices") { Content = JsonContent.Create(new { machine_id = "m-1" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", server.Options.ApiToken);
        await (await server.Anonymous.SendAsync(request)).AssertProblemAsync(400);
    }

    [Fact]
    public void The_agent_callback_url_is_the_listening_address_or_the_configured_one()
    {
        var options = new ControllerOptions { ApiToken = "sks_test" };
        Assert.Null(Callback(options, "http://127.0.0.1:0").ControllerUrl); // not bound yet
        Assert.Equal("http://127.0.0.1:30580", Callback(options, "http://127.0.0.1:30580").ControllerUrl);
        Assert.Equal("http://127.0.0.1:30580", Callback(options, "http://0.0.0.0:30580").ControllerUrl);
        Assert.Equal("http://127.0.0.1:30580", Callback(options, "http://+:30580").ControllerUrl);
        options.AgentControllerUrl = "http://10.0.0.2:30580/";
        Assert.Equal("http://10.0.0.2:30580", Callback(options, "http://0.0.0.0:30580").ControllerUrl);
    }

    private static AgentCallback Callback(ControllerOptions options, string address)
    {
        var wrapped = Microsoft.Extensions.Options.Options.Create(options);
        return new(wrapped, new AddressesOnly(address), new ScopedTokens(wrapped));
    }

    private sealed class AddressesOnly(string address) : Microsoft.AspNetCore.Hosting.Server.IServer
    {
        public Microsoft.AspNetCore.Http.Features.IFeatureCollection Features { get; } = Collection(address);

        private static Microsoft.AspNetCore.Http.Features.FeatureCollection Collection(string address)
        {
            var features = new Microsoft.AspNetCore.Http.Features.FeatureCollection();
            var addresses = new Microsoft.AspNetCore.Hosting.Server.Features.ServerAddressesFeature();
            addresses.Addresses.Add(address);
            features.Set<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>(addresses);
            return features;
        }

        public Task StartAsync<TContext>(Microsoft.AspNetCore.Hosting.Server.IHttpApplication<TContext> application, CancellationToken ct) where TContext : notnull => Task.CompletedTask;
        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
        public void Dispose()
        {
        }
    }
}
