using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>The REST API over a real Kestrel host, on SQLite and on a real PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ServiceApiTests(PostgresServer postgres) : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    private Task<ControllerServer> StartAsync(Database db, bool anonymousReads = false) =>
        ControllerServer.StartAsync(db, data.Path, postgres, anonymousReads: anonymousReads);

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task Create_get_list_update_delete_round_trip(Database db)
    {
        await using var server = await StartAsync(db);
        var created = await server.Client.CreateAsync(Specs.Named("chat", Specs.Autoscaled));
        Assert.Equal("chat", created["name"]!.GetValue<string>());
        Assert.Equal(1, created["version"]!.GetValue<int>());
        Assert.Equal("CONTROLLER_INIT", created["status"]!.GetValue<string>());
        Assert.Equal(3, created["spec"]!["service"]!["replica_policy"]!["max_replicas"]!.GetValue<int>());
        Assert.Equal("/v1/models", created["versions"]![0]!["readiness_path"]!.GetValue<string>());
        Assert.True(created["versions"]![0]!["use_spot"]!.GetValue<bool>());

        var list = (JsonArray)(await (await server.Client.GetAsync("/api/v1/services")).ReadJsonAsync());
        Assert.Equal("chat", Assert.Single(list)!["name"]!.GetValue<string>());

        var update = await server.Client.PutAsync("/api/v1/services/chat?mode=blue_green", HttpJson.Yaml(Specs.Autoscaled.Replace("max_replicas: 3", "max_replicas: 5")));
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var updated = await update.ReadJsonAsync();
        Assert.Equal(2, updated["version"]!.GetValue<int>());
        Assert.Equal(5, updated["spec"]!["service"]!["replica_policy"]!["max_replicas"]!.GetValue<int>());
        var versions = updated["versions"]!.AsArray();
        Assert.Equal(["rolling", "blue_green"], versions.Select(v => v!["mode"]!.GetValue<string>()));
        Assert.Contains("max_replicas: 3", versions[0]!["spec_text"]!.GetValue<string>());

        var events = (JsonArray)(await (await server.Client.GetAsync("/api/v1/services/chat/events")).ReadJsonAsync());
        Assert.Contains(events, e => e!["reason"]!.GetValue<string>().Contains("created"));
        Assert.Contains(events, e => e!["reason"]!.GetValue<string>().Contains("version 2"));

        var replicas = (JsonArray)(await (await server.Client.GetAsync("/api/v1/services/chat/replicas")).ReadJsonAsync());
        Assert.Empty(replicas);

        var delete = await server.Client.DeleteAsync("/api/v1/services/chat");
        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.True((await delete.ReadJsonAsync())["deleted"]!.GetValue<bool>());
        await (await server.Client.GetAsync("/api/v1/services/chat")).AssertProblemAsync(404);

        // The name is free again after deletion.
        await server.Client.CreateAsync(Specs.Named("chat"));
    }

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task Name_conflict_is_409_and_unknown_names_are_404(Database db)
    {
        await using var server = await StartAsync(db);
        await server.Client.CreateAsync(Specs.Minimal, name: "svc");
        var problem = await (await server.Client.PostSpecAsync(Specs.Minimal, name: "svc")).AssertProblemAsync(409);
        Assert.Contains("already exists", problem["detail"]!.GetValue<string>());

        await (await server.Client.GetAsync("/api/v1/services/nope")).AssertProblemAsync(404);

        // An update names its service in the URL; a different `name:` in the file does not rename it.
        var renamed = await server.Client.PutAsync("/api/v1/services/svc", HttpJson.Yaml(Specs.Named("other")));
        Assert.Equal("svc", (await renamed.ReadJsonAsync())["name"]!.GetValue<string>());
        await (await server.Client.GetAsync("/api/v1/services/other")).AssertProblemAsync(404);

        await (await server.Client.PutAsync("/api/v1/services/nope", HttpJson.Yaml(Specs.Minimal))).AssertProblemAsync(404);
        await (await server.Client.DeleteAsync("/api/v1/services/nope")).AssertProblemAsync(404);
        await (await server.Client.GetAsync("/api/v1/services/nope/replicas")).AssertProblemAsync(404);
        await (await server.Client.GetAsync("/api/v1/services/nope/events")).AssertProblemAsync(404);
        await (await server.Client.DeleteAsync("/api/v1/services/svc/replicas/7")).AssertProblemAsync(404);
    }

    [Fact]
    public async Task Invalid_spec_is_400_naming_key_path_line_and_column()
    {
        await using var server = await StartAsync(Database.Sqlite);
        const string spec = """
            service:
              readiness_probe: /health
              replica_policy:
                min_replicas: 3
                max_replicas: 1
            resources:
              cpus: 2
            """;
        var problem = await (await server.Client.PostSpecAsync(spec, "bad")).AssertProblemAsync(400);
        var error = problem["errors"]!.AsArray().First()!;
        Assert.StartsWith("service.replica_policy", error["path"]!.GetValue<string>());
        Assert.True(error["line"]!.GetValue<int>() >= 3);
        Assert.True(error["column"]!.GetValue<int>() >= 1);
        Assert.Contains("line", problem["detail"]!.GetValue<string>());

        var unknownKey = await (await server.Client.PostSpecAsync("service:\n  replicas: 1\n  bogus: 2\n  ports: 8080\n", "bad")).AssertProblemAsync(400);
        var keyError = unknownKey["errors"]!.AsArray().First()!;
        Assert.Equal("service.bogus", keyError["path"]!.GetValue<string>());
        Assert.Equal(3, keyError["line"]!.GetValue<int>());

        var badType = await (await server.Client.PostSpecAsync("service:\n  replicas: many\n", "bad")).AssertProblemAsync(400);
        Assert.Equal("service.replicas", badType["errors"]![0]!["path"]!.GetValue<string>());
        Assert.Equal(2, badType["errors"]![0]!["line"]!.GetValue<int>());

        // Nothing was stored by the refused requests.
        Assert.Empty((JsonArray)(await (await server.Client.GetAsync("/api/v1/services")).ReadJsonAsync()));
    }

    [Fact]
    public async Task Json_spec_bodies_are_accepted()
    {
        await using var server = await StartAsync(Database.Sqlite);
        var body = new StringContent("""{"name": "js", "service": {"readiness_probe": "/ok", "replicas": 1}, "resources": {"cpus": 1, "ports": 8080}}""",
            Encoding.UTF8, "application/json");
        var response = await server.Client.PostAsync("/api/v1/services", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("js", (await response.ReadJsonAsync())["name"]!.GetValue<string>());
        Assert.Equal("/api/v1/services/js", response.Headers.Location!.OriginalString);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/problem+json")]
    [InlineData("application/octet-stream")]
    [InlineData(null)]
    public async Task Specs_in_another_content_type_or_none_are_refused_with_415(string? contentType)
    {
        await using var server = await StartAsync(Database.Sqlite);
        await server.Client.CreateAsync(Specs.Minimal, "svc");
        HttpContent Body()
        {
            var body = new ByteArrayContent(Encoding.UTF8.GetBytes(Specs.Minimal));
            body.Headers.ContentType = contentType is null ? null : new(contentType);
            return body;
        }
        var created = await (await server.Client.PostAsync("/api/v1/services?name=other", Body())).AssertProblemAsync(415);
        var detail = created["detail"]?.GetValue<string>() ?? "";
        Assert.Contains("send the spec as YAML (application/yaml", detail);
        Assert.Contains(contentType is null ? "got no Content-Type" : $"got Content-Type '{contentType}", detail);
        await (await server.Client.PutAsync("/api/v1/services/svc", Body())).AssertProblemAsync(415);

        // Neither request stored anything: one service, still at version 1.
        Assert.Single((JsonArray)(await (await server.Client.GetAsync("/api/v1/services")).ReadJsonAsync()));
        Assert.Equal(1, (await (await server.Client.GetAsync("/api/v1/services/svc")).ReadJsonAsync())["version"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("application/yaml")]
    [InlineData("text/yaml")]
    [InlineData("application/x-yaml")]
    [InlineData("application/json")]
    [InlineData("Application/YAML; charset=utf-8")]
    public async Task Specs_as_yaml_or_json_are_accepted(string contentType)
    {
        await using var server = await StartAsync(Database.Sqlite);
        var spec = contentType.Contains("json", StringComparison.Ordinal)
            ? """{"service": {"readiness_probe": "/ok", "replicas": 1}, "resources": {"ports": 8080}}"""
            : Specs.Minimal;
        var body = new ByteArrayContent(Encoding.UTF8.GetBytes(spec));
        body.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        var response = await server.Client.PostAsync("/api/v1/services?name=typed", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bad_requests_are_problem_json_never_500()
    {
        await using var server = await StartAsync(Database.Sqlite);
        await server.Client.CreateAsync(Specs.Minimal, "svc");
        await (await server.Client.PostSpecAsync("", "x")).AssertProblemAsync(400);
        await (await server.Client.PostSpecAsync(Specs.Minimal, "Not_A_Name")).AssertProblemAsync(400);
        await (await server.Client.PutAsync("/api/v1/services/svc?mode=sideways", HttpJson.Yaml(Specs.Minimal))).AssertProblemAsync(400);
        await (await server.Client.DeleteAsync("/api/v1/services/svc?purge=perhaps")).AssertProblemAsync(400);
        await (await server.Client.GetAsync("/api/v1/services/svc/events?limit=0")).AssertProblemAsync(400);
        await (await server.Client.GetAsync("/api/v1/services/svc/events?after=x")).AssertProblemAsync(400);
        await (await server.Client.PostAsync("/api/v1/services?name=big", HttpJson.YamlBytes(new byte[(1 << 20) + (1 << 19)]))).AssertProblemAsync(413);
        await (await server.Client.PostAsync("/api/v1/services?name=bin", HttpJson.YamlBytes([0xff, 0xfe, 0x00, 0xc3]))).AssertProblemAsync(400);
        var unbounded = await (await server.Client.PostSpecAsync(Specs.Minimal.Replace("replicas: 2", "replicas: 0x10"), "hex")).AssertProblemAsync(400);
        Assert.Equal("service.replicas", unbounded["errors"]![0]!["path"]!.GetValue<string>());
        Assert.Contains("written in decimal", unbounded["errors"]![0]!["message"]!.GetValue<string>());

        // Garbage of every shape: always a 4xx problem, never a 500 nor a stored service.
        var random = new Random(7);
        string[] seeds = [Specs.Autoscaled, Specs.Minimal, "{\"service\": [1, 2", "- a\n- b", "service: !!binary AAAA", "&a [*a]", "service:\n  replicas: 99999999999999999999"];
        foreach (var seed in seeds)
        {
            for (var i = 0; i < 15; i++)
            {
                var cut = seed[..random.Next(seed.Length + 1)];
                var response = await server.Client.PostSpecAsync(cut, $"fuzz-{i}");
                Assert.True((int)response.StatusCode is 201 or 400, $"{(int)response.StatusCode} for:\n{cut}\n{await response.Content.ReadAsStringAsync()}");
                if (response.StatusCode == HttpStatusCode.Created)
                    await server.Client.DeleteAsync($"/api/v1/services/fuzz-{i}?purge=true");
            }
        }
    }

    [Fact]
    public async Task Writes_need_the_token_and_reads_open_only_by_configuration()
    {
        await using (var closed = await StartAsync(Database.Sqlite))
        {
            var response = await closed.Anonymous.PostSpecAsync(Specs.Minimal, "svc");
            await response.AssertProblemAsync(401);
            Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
            await (await closed.Anonymous.GetAsync("/api/v1/services")).AssertProblemAsync(401);
            closed.Anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "wrong");
            await (await closed.Anonymous.GetAsync("/api/v1/services")).AssertProblemAsync(401);
        }
        await using var open = await StartAsync(Database.Sqlite, anonymousReads: true);
        Assert.Equal(HttpStatusCode.OK, (await open.Anonymous.GetAsync("/api/v1/services")).StatusCode);
        await (await open.Anonymous.PostSpecAsync(Specs.Minimal, "svc")).AssertProblemAsync(401);
        await (await open.Anonymous.DeleteAsync("/api/v1/services/svc")).AssertProblemAsync(401);
    }

    [Fact]
    public async Task Generated_token_is_kept_across_restarts()
    {
        string first;
        await using (var server = await StartAsync(Database.Sqlite))
        {
            first = server.Options.ApiToken!;
            Assert.True(server.Options.ApiTokenWasGenerated);
        }
        await using var again = await StartAsync(Database.Sqlite);
        Assert.Equal(first, again.Options.ApiToken);
        Assert.False(again.Options.ApiTokenWasGenerated);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(data.Path, "api-token")));
    }

    [Fact]
    public async Task OpenApi_document_describes_the_api()
    {
        await using var server = await StartAsync(Database.Sqlite);
        var doc = await (await server.Anonymous.GetAsync("/openapi/v1.json")).ReadJsonAsync();
        var paths = doc["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/api/v1/services", paths);
        Assert.Contains("/api/v1/services/{name}", paths);
        Assert.Contains("/api/v1/services/{name}/events", paths);
    }

    [Fact]
    public async Task Unknown_routes_are_problem_json()
    {
        await using var server = await StartAsync(Database.Sqlite);
        await (await server.Client.GetAsync("/api/v1/nothing-here")).AssertProblemAsync(404);
    }
}
