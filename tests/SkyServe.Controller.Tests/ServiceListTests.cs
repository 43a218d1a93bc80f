using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SkyServe.Core.Domain;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>GET /api/v1/services at scale (issue 14 item 6): cursor paging, and summaries computed in the database.</summary>
[Collection(PostgresCollection.Name)]
public sealed partial class ServiceListTests(PostgresServer postgres) : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    private Task<ControllerServer> StartAsync(Database db) => ControllerServer.StartAsync(db, data.Path, postgres);

    // A replica of each kind the summary must tell apart: live (READY, PENDING) and terminal (FAILED_CLEANUP, PREEMPTED).
    private static readonly ReplicaStatus[] Mix =
        [ReplicaStatus.READY, ReplicaStatus.READY, ReplicaStatus.PENDING, ReplicaStatus.FAILED_CLEANUP, ReplicaStatus.PREEMPTED];

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task Paging_walks_every_service_once_in_name_order(Database db)
    {
        await using var server = await StartAsync(db);
        foreach (var name in new[] { "zeta", "chat", "alpha" })
            await server.Client.CreateAsync(Specs.Named(name));
        await ServiceSeed.AddAsync(server, Enumerable.Range(1, 9).Reverse().Select(i => $"s-{i:00}"), Mix);
        var expected = new[] { "alpha", "chat" }.Concat(Enumerable.Range(1, 9).Select(i => $"s-{i:00}")).Append("zeta").ToList();

        var pages = new List<JsonArray>();
        string? next = "/api/v1/services?limit=5";
        while (next is not null)
        {
            using var response = await server.Client.GetAsync(next);
            pages.Add((JsonArray)await response.ReadJsonAsync());
            next = NextLink(response);
            if (next is not null)
                Assert.StartsWith(server.Url + "/api/v1/services?limit=5&cursor=", next); // absolute, as GitHub gives it
        }

        Assert.Equal([5, 5, 2], pages.Select(p => p.Count));
        var all = pages.SelectMany(p => p).ToList();
        Assert.Equal(expected, all.Select(s => s!["name"]!.GetValue<string>()));
        var seeded = all.Single(s => s!["name"]!.GetValue<string>() == "s-04")!;
        Assert.Equal(2, seeded["ready_replicas"]!.GetValue<int>());
        Assert.Equal(3, seeded["replicas"]!.GetValue<int>()); // FAILED_CLEANUP and PREEMPTED are terminal
        Assert.Equal("READY", seeded["status"]!.GetValue<string>());
        var created = all.Single(s => s!["name"]!.GetValue<string>() == "chat")!;
        Assert.Equal((0, 0, 1), (created["ready_replicas"]!.GetValue<int>(), created["replicas"]!.GetValue<int>(), created["version"]!.GetValue<int>()));

        // Without ?limit one page holds up to 100: every service, and no Link.
        using var whole = await server.Client.GetAsync("/api/v1/services");
        Assert.Equal(expected, ((JsonArray)await whole.ReadJsonAsync()).Select(s => s!["name"]!.GetValue<string>()));
        Assert.Null(NextLink(whole));

        // The cursor is a name, not an offset: deleting the page's last service and the next one skips nothing else.
        using var first = await server.Client.GetAsync("/api/v1/services?limit=5");
        foreach (var gone in new[] { "s-03", "s-04" })
            Assert.True((await server.Client.DeleteAsync($"/api/v1/services/{gone}?purge=true")).IsSuccessStatusCode);
        using var second = await server.Client.GetAsync(NextLink(first));
        Assert.Equal(["s-05", "s-06", "s-07", "s-08", "s-09"], ((JsonArray)await second.ReadJsonAsync()).Select(s => s!["name"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("cursor=not*base64", "cursor")]
    [InlineData("limit=5&cursor=QmFkIE5hbWUh", "cursor")] // base64url of "Bad Name!", not a service name
    public async Task A_bad_limit_or_cursor_is_a_400_naming_it(string query, string parameter)
    {
        await using var server = await StartAsync(Database.Sqlite);
        var problem = await (await server.Client.GetAsync($"/api/v1/services?{query}")).AssertProblemAsync(400);
        Assert.Contains(parameter, problem["detail"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task A_page_costs_the_same_few_sql_commands_whatever_it_holds(Database db)
    {
        await using var server = await StartAsync(db);
        using var sql = new SqlCommandLog();

        await ServiceSeed.AddAsync(server, Enumerable.Range(0, 5).Select(i => $"a-{i:000}"), Mix);
        var few = await CountAsync();
        await ServiceSeed.AddAsync(server, Enumerable.Range(5, 45).Select(i => $"a-{i:000}"), Mix);
        var many = await CountAsync();

        Assert.Equal((5, 2), few); // the page of services, then their replica counts by status
        Assert.Equal((50, 2), many);
        Assert.Contains("GROUP BY", sql.Commands[1]); // counted in the database, not by loading every replica row
        Assert.All(sql.Commands, c => Assert.DoesNotContain("spec_text", c));

        async Task<(int Services, int Commands)> CountAsync()
        {
            sql.Reset();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/services?limit=100");
            request.Headers.Add("traceparent", sql.TraceParent);
            using var response = await server.Client.SendAsync(request);
            var page = (JsonArray)await response.ReadJsonAsync();
            Assert.All(page, s => Assert.Equal(2, s!["ready_replicas"]!.GetValue<int>()));
            return (page.Count, sql.Commands.Count);
        }
    }

    private static string? NextLink(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Link", out var values) && values.Select(v => NextRel().Match(v)).FirstOrDefault(m => m.Success) is { } m
            ? m.Groups[1].Value
            : null;

    [GeneratedRegex("""<([^>]+)>;\s*rel="next"(?:,|$)""")]
    private static partial Regex NextRel();
}
