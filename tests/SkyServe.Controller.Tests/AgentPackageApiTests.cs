using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>
/// GET /api/v1/agent/package over a real Kestrel host: the archive its machines boot from, with its digest, to an agent
/// token; and the same digest in what a launch tells the machine. The archive here is arbitrary bytes: the real bundle
/// is served to a real boot script in SkyServe.Cli.Tests (AgentBundleBootTests).
/// </summary>
public sealed class AgentPackageApiTests : IDisposable
{
    private readonly TempDirectory data = new();
    private readonly byte[] archive = RandomNumberGenerator.GetBytes(300_000);

    public void Dispose() => data.Dispose();

    private string ArchivePath => Path.Combine(data.Path, "replica-agent-linux-x64.tar.gz");

    private string Sha256 => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(ArchivePath)));

    private async Task<ControllerServer> StartAsync(string? packagePath = null, FakeCloudProvider? cloud = null)
    {
        if (!File.Exists(ArchivePath))
            await File.WriteAllBytesAsync(ArchivePath, archive);
        return await ControllerServer.StartAsync(new ControllerOptions
        {
            DataDirectory = data.Path,
            Urls = "http://127.0.0.1:0",
            Agent = new AgentPackageOptions { PackagePath = packagePath ?? ArchivePath },
            Reconcile = new ReconcileOptions { Enabled = false, MachineListInterval = TimeSpan.FromTicks(1) },
        }, cloud);
    }

    private static Task<HttpResponseMessage> GetAsync(ControllerServer server, string? token, Action<HttpRequestMessage>? also = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/agent/package");
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        also?.Invoke(request);
        return server.Anonymous.SendAsync(request);
    }

    private static string AgentToken(ControllerServer server) => server.Services.GetRequiredService<ScopedTokens>().AgentTokenFor(Guid.NewGuid());

    [Fact]
    public async Task A_machines_agent_token_gets_the_archive_with_its_sha256_etag_and_ranges()
    {
        await using var server = await StartAsync();
        var token = AgentToken(server);

        using var response = await GetAsync(server, token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(archive, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/gzip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Sha256, Assert.Single(response.Headers.GetValues("X-Checksum-Sha256")));
        Assert.Equal("sha-256=" + Convert.ToBase64String(SHA256.HashData(archive)), Assert.Single(response.Headers.GetValues("Digest")));
        Assert.Equal($"\"{Sha256}\"", response.Headers.ETag?.Tag);

        using var unchanged = await GetAsync(server, token, r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{Sha256}\"")));
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        using var resumed = await GetAsync(server, token, r => r.Headers.Range = new RangeHeaderValue(1000, 1009));
        Assert.Equal(HttpStatusCode.PartialContent, resumed.StatusCode);
        Assert.Equal(archive[1000..1010], await resumed.Content.ReadAsByteArrayAsync());

        using var admin = await GetAsync(server, server.Options.ApiToken);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task No_token_a_forged_agent_token_or_the_load_balancers_is_refused()
    {
        await using var server = await StartAsync();
        var lbToken = server.Services.GetRequiredService<ScopedTokens>().LoadBalancer;
        var forged = AgentToken(server)[..^4] + "0000";
        foreach (var token in new[] { null, forged, lbToken, "ska_" })
        {
            using var response = await GetAsync(server, token);
            await response.AssertProblemAsync(401);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        }
    }

    [Fact]
    public async Task A_missing_archive_is_a_404_problem_that_names_the_setting()
    {
        var missing = Path.Combine(data.Path, "nowhere", "agent.tar.gz");
        await using var server = await StartAsync(packagePath: missing);
        var problem = await (await GetAsync(server, AgentToken(server))).AssertProblemAsync(404);
        Assert.Contains("SkyServe:Agent:PackagePath", problem["detail"]!.GetValue<string>());
        Assert.Contains(missing, problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_archive_replaced_while_the_controller_runs_is_served_with_its_new_digest()
    {
        await using var server = await StartAsync();
        var token = AgentToken(server);
        (await GetAsync(server, token)).EnsureSuccessStatusCode();
        var newer = Encoding.UTF8.GetBytes("a newer agent archive");
        await File.WriteAllBytesAsync(ArchivePath, newer);

        using var response = await GetAsync(server, token);
        Assert.Equal(newer, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(newer)), Assert.Single(response.Headers.GetValues("X-Checksum-Sha256")));
    }

    [Fact]
    public async Task A_launch_tells_the_machine_to_fetch_the_archive_from_this_controller_with_its_token_and_digest()
    {
        var cloud = new FakeCloudProvider("aws/us-east-1/us-east-1a");
        await using var server = await StartAsync(cloud: cloud);
        var created = await server.Client.PostAsync("/api/v1/services?name=chat", HttpJson.Yaml("""
            service:
              readiness_probe: /ready
              replicas: 1
              ports: 8080
            resources:
              cloud: aws
              cpus: 8
            """));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var id = (await scope.ServiceProvider.GetRequiredService<ControllerDb>().Services.SingleAsync(s => s.Name == "chat")).Id;
            var leader = server.Services.GetRequiredService<LeaderElection>();
            Assert.True(await leader.IsLeaderAsync(CancellationToken.None));
            await scope.ServiceProvider.GetRequiredService<ServiceReconciler>().ReconcileAsync(id, leader.Generation, CancellationToken.None);
        }

        var agent = Assert.Single(cloud.LaunchRequests).Agent;
        var package = agent.Package!;
        Assert.Equal(server.Url.TrimEnd('/') + "/api/v1/agent/package", package.Url);
        Assert.Equal(Sha256, package.Sha256);
        Assert.True(package.WithAgentToken);
        // The token the machine is given is one this endpoint accepts.
        using var response = await GetAsync(server, agent.ControllerToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
