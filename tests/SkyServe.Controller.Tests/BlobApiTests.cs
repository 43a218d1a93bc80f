using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Jobs;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Domain;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>
/// The workdir and file_mounts archives over a real Kestrel host, on SQLite and PostgreSQL: uploaded under their digest
/// with the API token, checked, asked for with HEAD, named by a submission (which must match its spec), fetched by a
/// replica's agent for its own version only, and deleted by the retention job once no version names them.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BlobApiTests(PostgresServer postgres) : IDisposable
{
    private const string SpecWithFiles = """
        name: files
        service:
          readiness_probe: /health
          replicas: 1
          ports: 8080
        workdir: .
        file_mounts:
          ~/data: ./data
          /mnt/remote:
            source: s3://bucket/remote
            mode: MOUNT
        run: python3 server.py
        """;

    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    private Task<ControllerServer> StartAsync(Database db, long maxBytes = 64 << 20) =>
        ControllerServer.StartAsync(new ControllerOptions
        {
            DataDirectory = data.Path,
            PostgresConnectionString = db == Database.Postgres ? postgres.NewDatabase() : null,
            Urls = "http://127.0.0.1:0",
            Uploads = new UploadOptions { MaxBytes = maxBytes },
            Reconcile = new ReconcileOptions { Enabled = false },
        });

    private static string Digest(byte[] bytes) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static Task<HttpResponseMessage> PutBlobAsync(HttpClient client, string digest, byte[] bytes) =>
        client.PutAsync($"/api/v1/blobs/{digest}", new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/gzip") } });

    private static Task<HttpResponseMessage> HeadAsync(HttpClient client, string digest) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/api/v1/blobs/{digest}"));

    private static StringContent Submission(string spec, string? workdir, string? mount)
    {
        var uploads = new JsonObject();
        if (workdir is not null)
            uploads["workdir"] = workdir;
        if (mount is not null)
            uploads["file_mounts"] = new JsonObject { ["~/data"] = mount };
        var body = new JsonObject { ["spec"] = spec, ["uploads"] = uploads };
        return new StringContent(body.ToJsonString(), Encoding.UTF8, "application/vnd.skyserve.submission+json");
    }

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task An_upload_is_stored_once_under_its_checked_digest(Database db)
    {
        await using var server = await StartAsync(db);
        var bytes = RandomNumberGenerator.GetBytes(100_000);
        var digest = Digest(bytes);

        using (var missing = await HeadAsync(server.Client, digest))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using (var first = await PutBlobAsync(server.Client, digest, bytes))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
            Assert.True((await first.ReadJsonAsync())["stored"]!.GetValue<bool>());
        }
        using (var again = await PutBlobAsync(server.Client, digest, bytes))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.False((await again.ReadJsonAsync())["stored"]!.GetValue<bool>());
        }
        using (var there = await HeadAsync(server.Client, digest))
            Assert.Equal(HttpStatusCode.OK, there.StatusCode);

        var other = Digest(RandomNumberGenerator.GetBytes(10));
        var mismatch = await (await PutBlobAsync(server.Client, other, bytes)).AssertProblemAsync(400);
        Assert.Contains($"hash to {digest}, not {other}", mismatch["detail"]!.GetValue<string>());
        using (var stillMissing = await HeadAsync(server.Client, other))
            Assert.Equal(HttpStatusCode.NotFound, stillMissing.StatusCode);

        await (await PutBlobAsync(server.Client, "sha256:XYZ", bytes)).AssertProblemAsync(400);
        await (await PutBlobAsync(server.Anonymous, digest, bytes)).AssertProblemAsync(401);
    }

    [Fact]
    public async Task Controllers_sharing_postgresql_serve_each_others_uploads()
    {
        var connection = postgres.NewDatabase();
        ControllerOptions Options(string folder) => new()
        {
            DataDirectory = Path.Combine(data.Path, folder), PostgresConnectionString = connection, ApiToken = "sks_shared-token",
            Urls = "http://127.0.0.1:0", Reconcile = new ReconcileOptions { Enabled = false },
        };
        await using var first = await ControllerServer.StartAsync(Options("a"));
        await using var second = await ControllerServer.StartAsync(Options("b"));
        var workdir = RandomNumberGenerator.GetBytes(3000);
        var mount = RandomNumberGenerator.GetBytes(3000);
        (await PutBlobAsync(first.Client, Digest(workdir), workdir)).EnsureSuccessStatusCode();
        (await PutBlobAsync(second.Client, Digest(mount), mount)).EnsureSuccessStatusCode();
        using (var seen = await HeadAsync(second.Client, Digest(workdir)))
            Assert.Equal(HttpStatusCode.OK, seen.StatusCode);
        using (var created = await second.Client.PostAsync("/api/v1/services", Submission(SpecWithFiles, Digest(workdir), Digest(mount))))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var agentToken = first.Services.GetRequiredService<ScopedTokens>().AgentTokenFor(await AddReplicaAsync(first, "files"));
        using var fetched = await AgentGetAsync(second, agentToken, Digest(mount));
        Assert.Equal(mount, await fetched.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_upload_past_the_limit_is_refused_with_413()
    {
        await using var server = await StartAsync(Database.Sqlite, maxBytes: 1000);
        var bytes = RandomNumberGenerator.GetBytes(5000);
        // Expect: 100-continue, as the CLI sends it: refused on its Content-Length, the body is never sent (no broken pipe).
        using var declared = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/blobs/{Digest(bytes)}") { Content = new ByteArrayContent(bytes) };
        declared.Headers.ExpectContinue = true;
        var problem = await (await server.Client.SendAsync(declared)).AssertProblemAsync(413);
        Assert.Contains("at most 1000 bytes (SkyServe:Uploads:MaxBytes)", problem["detail"]!.GetValue<string>());

        // Chunked, without a Content-Length: cut off as it passes the limit.
        var chunked = new StreamContent(new MemoryStream(bytes));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/blobs/{Digest(bytes)}") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.ExpectContinue = true;
        await (await server.Client.SendAsync(request)).AssertProblemAsync(413);
    }

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task A_submission_must_bring_its_local_sources_and_name_only_stored_uploads(Database db)
    {
        await using var server = await StartAsync(db);
        var workdir = RandomNumberGenerator.GetBytes(1000);
        var mount = RandomNumberGenerator.GetBytes(1000);

        var bare = await (await server.Client.PostSpecAsync(SpecWithFiles)).AssertProblemAsync(400);
        Assert.Contains("the spec's workdir '.' is a local folder", bare["detail"]!.GetValue<string>());
        Assert.Contains("skyserve up", bare["detail"]!.GetValue<string>());

        var noMount = await (await server.Client.PostAsync("/api/v1/services", Submission(SpecWithFiles, Digest(workdir), null))).AssertProblemAsync(400);
        Assert.Contains("file_mounts.~/data: its source './data' is a local path", noMount["detail"]!.GetValue<string>());

        var missing = await (await server.Client.PostAsync("/api/v1/services", Submission(SpecWithFiles, Digest(workdir), Digest(mount))))
            .AssertProblemAsync(400);
        Assert.Contains($"upload {Digest(workdir)} is not on the controller", missing["detail"]!.GetValue<string>());

        (await PutBlobAsync(server.Client, Digest(workdir), workdir)).EnsureSuccessStatusCode();
        (await PutBlobAsync(server.Client, Digest(mount), mount)).EnsureSuccessStatusCode();
        using var created = await server.Client.PostAsync("/api/v1/services", Submission(SpecWithFiles, Digest(workdir), Digest(mount)));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var events = await (await server.Client.GetAsync("/api/v1/services/files/events")).ReadJsonAsync();
        Assert.Contains(events.AsArray(), e => e!["reason"]!.GetValue<string>().StartsWith(
            "version 1: file_mounts./mnt/remote is MOUNT, which needs a FUSE mounter the replica agents do not run", StringComparison.Ordinal));

        var stray = await (await server.Client.PutAsync("/api/v1/services/files",
            Submission(SpecWithFiles.Replace("workdir: .\n", ""), Digest(workdir), Digest(mount)))).AssertProblemAsync(400);
        Assert.Contains("the spec has no local workdir", stray["detail"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task An_agent_gets_the_uploads_of_its_own_replicas_version_only(Database db)
    {
        await using var server = await StartAsync(db);
        var workdir = RandomNumberGenerator.GetBytes(2000);
        var mount = RandomNumberGenerator.GetBytes(2000);
        var elsewhere = RandomNumberGenerator.GetBytes(2000);
        foreach (var bytes in new[] { workdir, mount, elsewhere })
            (await PutBlobAsync(server.Client, Digest(bytes), bytes)).EnsureSuccessStatusCode();
        (await server.Client.PostAsync("/api/v1/services", Submission(SpecWithFiles, Digest(workdir), Digest(mount)))).EnsureSuccessStatusCode();
        var launchToken = await AddReplicaAsync(server, "files");
        var agentToken = server.Services.GetRequiredService<ScopedTokens>().AgentTokenFor(launchToken);

        using (var response = await AgentGetAsync(server, agentToken, Digest(workdir)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(workdir, await response.Content.ReadAsByteArrayAsync());
        }
        using (var response = await AgentGetAsync(server, agentToken, Digest(mount)))
            Assert.Equal(mount, await response.Content.ReadAsByteArrayAsync());
        var refused = await (await AgentGetAsync(server, agentToken, Digest(elsewhere))).AssertProblemAsync(403);
        Assert.Contains("is not an upload of replica 1's service version 1", refused["detail"]!.GetValue<string>());
        var otherAgent = server.Services.GetRequiredService<ScopedTokens>().AgentTokenFor(Guid.NewGuid());
        await (await AgentGetAsync(server, otherAgent, Digest(workdir))).AssertProblemAsync(403);
        await (await AgentGetAsync(server, null, Digest(workdir))).AssertProblemAsync(401);
        using (var admin = await AgentGetAsync(server, server.Options.ApiToken, Digest(elsewhere)))
            Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task Retention_deletes_old_uploads_no_version_names(Database db)
    {
        await using var server = await StartAsync(db);
        var workdir = RandomNumberGenerator.GetBytes(500);
        var mount = RandomNumberGenerator.GetBytes(500);
        var orphan = RandomNumberGenerator.GetBytes(500);
        foreach (var bytes in new[] { workdir, mount, orphan })
            (await PutBlobAsync(server.Client, Digest(bytes), bytes)).EnsureSuccessStatusCode();
        (await server.Client.PostAsync("/api/v1/services", Submission(SpecWithFiles, Digest(workdir), Digest(mount)))).EnsureSuccessStatusCode();

        await using var scope = server.Services.CreateAsyncScope();
        var controllerDb = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        Assert.Equal(0, await BlobRetentionJob.DeleteAsync(controllerDb, DateTime.UtcNow.AddHours(-1), default)); // all too young
        Assert.Equal(1, await BlobRetentionJob.DeleteAsync(controllerDb, DateTime.UtcNow.AddMinutes(1), default));
        Assert.Equal(new[] { Digest(mount), Digest(workdir) }.Order(StringComparer.Ordinal),
            (await controllerDb.Blobs.Select(b => b.Digest).ToListAsync()).Order(StringComparer.Ordinal));

        (await server.Client.DeleteAsync("/api/v1/services/files?purge=true")).EnsureSuccessStatusCode();
        Assert.Equal(2, await BlobRetentionJob.DeleteAsync(controllerDb, DateTime.UtcNow.AddMinutes(1), default));
    }

    private static Task<HttpResponseMessage> AgentGetAsync(ControllerServer server, string? token, string digest)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/agent/blobs/{digest}");
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return server.Anonymous.SendAsync(request);
    }

    private static async Task<Guid> AddReplicaAsync(ControllerServer server, string service)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        var serviceId = await db.Services.Where(s => s.Name == service).Select(s => s.Id).SingleAsync();
        var token = Guid.NewGuid();
        var at = DateTime.UtcNow;
        db.Replicas.Add(new ReplicaRecord
        {
            ServiceId = serviceId, ReplicaId = 1, Version = 1, Status = ReplicaStatus.STARTING, LaunchToken = token, CreatedAt = at, StatusChangedAt = at,
        });
        await db.SaveChangesAsync();
        return token;
    }
}
