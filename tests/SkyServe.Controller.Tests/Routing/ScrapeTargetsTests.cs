using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Domain;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests.Routing;

/// <summary>
/// GET /api/v1/lb/scrape-targets: Prometheus' HTTP service discovery of the agents of routed replicas, with the load
/// balancer's token (docker-compose.yml's Prometheus scrapes every agent this way).
/// </summary>
public sealed class ScrapeTargetsTests : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    [Fact]
    public async Task Every_ready_replica_is_a_target_labelled_with_its_service_and_the_load_balancer_token_reads_them()
    {
        await using var server = await ControllerServer.StartAsync(new ControllerOptions
        {
            DataDirectory = data.Path, Urls = "http://127.0.0.1:0", Reconcile = new ReconcileOptions { Enabled = false },
        });
        await server.Client.CreateAsync(Specs.Named("chat"));
        var ready = await LbRoutes.AddReplicaAsync(server, "chat", ReplicaStatus.READY, "http://10.0.0.2:8080");
        await LbRoutes.AddReplicaAsync(server, "chat", ReplicaStatus.STARTING, "http://10.0.0.3:8080");
        await LbRoutes.FullWhenAsync(server.Client, r => r.Services.Any(s => s.ReadyReplicas.Count == 1), "chat's READY replica routed");

        var lbToken = (await (await server.Client.GetAsync("/api/v1/tokens/load-balancer")).ReadJsonAsync())["token"]!.GetValue<string>();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/lb/scrape-targets");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", lbToken);
        using var response = await server.Anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var group = Assert.Single(JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray())!;
        Assert.Equal("10.0.0.2:8080", Assert.Single(group["targets"]!.AsArray())!.GetValue<string>());
        var labels = group["labels"]!;
        Assert.Equal("chat", labels["service"]!.GetValue<string>());
        Assert.Equal(ready.ToString(System.Globalization.CultureInfo.InvariantCulture), labels["replica_id"]!.GetValue<string>());
        Assert.Equal("http", labels["__scheme__"]!.GetValue<string>());
        Assert.Equal("aws/us-east-1/us-east-1a", labels["location"]!.GetValue<string>());
        Assert.Equal("true", labels["spot"]!.GetValue<string>());

        Assert.Equal(HttpStatusCode.Unauthorized, (await server.Anonymous.GetAsync("/api/v1/lb/scrape-targets")).StatusCode);
    }
}
