using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Controller.Routing;
using SkyServe.Core.Domain;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests.Routing;

/// <summary>
/// GET /api/v1/lb/routes with ?since=: only the services changed after that revision and the names removed after it;
/// the whole table for no since, a since it cannot answer as a delta, or one older than the removals it remembers.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class RouteDeltaTests(PostgresServer postgres) : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    private Task<ControllerServer> StartAsync(Database db, string? connection = null, TimeSpan? keepRemovedFor = null) => ControllerServer.StartAsync(new ControllerOptions
    {
        DataDirectory = data.Path,
        PostgresConnectionString = db == Database.Postgres ? connection ?? postgres.NewDatabase() : null,
        Urls = "http://127.0.0.1:0",
        Reconcile = new ReconcileOptions { Enabled = false },
        // No full recompute during a test: every delta must come from the marks of the writes.
        Routing = new RoutingOptions { KeepRemovedFor = keepRemovedFor ?? TimeSpan.FromMinutes(10), FullRecomputeInterval = TimeSpan.FromMinutes(5) },
    });

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task A_replica_change_is_a_delta_of_its_service_alone_and_an_unrouted_write_changes_nothing(Database db)
    {
        await using var server = await StartAsync(db);
        foreach (var name in new[] { "a", "b", "c" })
            await server.Client.CreateAsync(Specs.Named(name));
        var full = await LbRoutes.FullWhenAsync(server.Client, r => r.Services.Count == 3, "three services");
        Assert.True(full.Full);
        Assert.Empty(full.Removed);

        // A replica that is not READY is written to service a (a write the table rereads a for, to the same routes) ...
        await LbRoutes.AddReplicaAsync(server, "a", ReplicaStatus.STARTING, "http://10.0.0.1:8080");
        // ... then one that is READY to service b.
        await LbRoutes.AddReplicaAsync(server, "b", ReplicaStatus.READY, "http://10.0.0.2:8080");

        var delta = await LbRoutes.GetAsync(server.Client, full.Revision, 5);
        Assert.False(delta.Full);
        var b = Assert.Single(delta.Services);
        Assert.Equal("b", b.Name);
        Assert.Equal("http://10.0.0.2:8080", Assert.Single(b.ReadyReplicas).Url);
        Assert.Empty(delta.Removed);
        Assert.Equal(LbRoutes.Number(full.Revision) + 1, LbRoutes.Number(delta.Revision)); // a's reread bumped nothing

        // Nothing changed since: the long poll ends after its wait with an empty delta at the same revision.
        var quiet = await LbRoutes.GetAsync(server.Client, delta.Revision, 0.3);
        Assert.Equal(delta.Revision, quiet.Revision);
        Assert.False(quiet.Full);
        Assert.Empty(quiet.Services);
        Assert.Empty(quiet.Removed);

        // A service created through the API (a transaction of two saves) is marked at its commit.
        await server.Client.CreateAsync(Specs.Named("d"));
        var created = await LbRoutes.GetAsync(server.Client, quiet.Revision, 5);
        Assert.Equal(["d"], created.Names());
    }

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task Removed_services_arrive_in_the_removed_list(Database db)
    {
        await using var server = await StartAsync(db);
        foreach (var name in new[] { "gone", "stays", "ending" })
            await server.Client.CreateAsync(Specs.Named(name));
        await LbRoutes.AddReplicaAsync(server, "ending", ReplicaStatus.READY, "http://10.0.0.3:8080");
        var before = await LbRoutes.FullWhenAsync(server.Client, r => r.Services.Count == 3 && r.Services.Any(s => s.ReadyReplicas.Count == 1), "three services");

        Assert.True((await server.Client.DeleteAsync("/api/v1/services/gone")).IsSuccessStatusCode); // no replica: deleted at once
        Assert.True((await server.Client.DeleteAsync("/api/v1/services/ending")).IsSuccessStatusCode); // a live replica: SHUTTING_DOWN
        var delta = before;
        await Eventually.TrueAsync(async () => (delta = await LbRoutes.GetAsync(server.Client, before.Revision, 5)).Removed.Count == 2,
            TimeSpan.FromSeconds(10), () => $"both removals (removed: {string.Join(", ", delta.Removed)})"); // may be two revisions
        Assert.False(delta.Full);
        Assert.Empty(delta.Services);
        Assert.Equal(["ending", "gone"], delta.Removed);

        // Created again under the same name: a changed service, no longer removed, for either revision.
        await server.Client.CreateAsync(Specs.Named("gone"));
        foreach (var since in new[] { delta.Revision, before.Revision })
        {
            var again = await LbRoutes.GetAsync(server.Client, since, 5);
            Assert.False(again.Full);
            Assert.Equal(["gone"], again.Names());
            Assert.Equal(since == before.Revision ? ["ending"] : [], again.Removed);
        }
    }

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task An_unknown_foreign_or_too_old_since_gets_the_whole_table(Database db)
    {
        var connection = postgres.NewDatabase();
        string previousRun;
        await using (var first = await StartAsync(db, connection))
        {
            await first.Client.CreateAsync(Specs.Named("a"));
            previousRun = (await LbRoutes.FullWhenAsync(first.Client, r => r.Services.Count == 1, "service a")).Revision;
        }
        await using var server = await StartAsync(db, connection, keepRemovedFor: TimeSpan.FromSeconds(2));
        await server.Client.CreateAsync(Specs.Named("b"));
        var start = await LbRoutes.FullWhenAsync(server.Client, r => r.Services.Count == 2, "services a and b");
        // A revision of the previous run (its counter is no guide to this one's), of another controller, none, nonsense, or ahead.
        foreach (var since in new[] { "", "garbage", "0", previousRun, "other-1", start.Revision + "0" })
        {
            var answer = await LbRoutes.GetAsync(server.Client, since, 5);
            Assert.True(answer.Full, $"since={since}");
            Assert.Equal(["a", "b"], answer.Names().Order());
            Assert.Equal(start.Revision, answer.Revision);
        }

        Assert.True((await server.Client.DeleteAsync("/api/v1/services/a")).IsSuccessStatusCode);
        var removal = await LbRoutes.GetAsync(server.Client, start.Revision, 5);
        Assert.Equal(["a"], removal.Removed);
        // Once the removal is forgotten, a since from before it could miss it: the whole table instead.
        await Eventually.TrueAsync(async () => (await LbRoutes.GetAsync(server.Client, start.Revision)).Full, TimeSpan.FromSeconds(10),
            () => "a since from before a forgotten removal answered with the whole table");
        var whole = await LbRoutes.GetAsync(server.Client, start.Revision);
        Assert.Equal(["b"], whole.Names());
        Assert.Empty(whole.Removed);
        Assert.False((await LbRoutes.GetAsync(server.Client, removal.Revision)).Full); // from after it, still a delta
    }

    [Fact]
    public async Task A_switch_of_serving_versions_by_the_reconciler_is_a_delta_of_that_service()
    {
        await using var server = await StartAsync(Database.Sqlite);
        await server.Client.CreateAsync(Specs.Named("bg"));
        await server.Client.CreateAsync(Specs.Named("other"));
        await LbRoutes.AddReplicaAsync(server, "bg", ReplicaStatus.READY, "http://10.0.0.1:8080", version: 1);
        await LbRoutes.AddReplicaAsync(server, "bg", ReplicaStatus.READY, "http://10.0.0.2:8080", version: 2);
        var both = await LbRoutes.FullWhenAsync(server.Client, r => r.Services.Sum(s => s.ReadyReplicas.Count) == 2, "both replicas routed");
        var since = both.Revision;
        foreach (var (serving, url) in new[] { (1, "http://10.0.0.1:8080"), (2, "http://10.0.0.2:8080") })
        {
            await using (var scope = server.Services.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
                (await db.Services.SingleAsync(s => s.Name == "bg")).ServingVersions = ServingVersionsColumn.Format([serving]); // as the reconciler does
                await db.SaveChangesAsync();
            }
            var delta = await LbRoutes.GetAsync(server.Client, since, 5);
            var bg = Assert.Single(delta.Services);
            Assert.Equal([serving], bg.ServingVersions);
            Assert.Equal(url, Assert.Single(bg.ReadyReplicas).Url);
            since = delta.Revision;
        }
    }

    [Fact]
    public void Notices_are_split_below_postgres_payload_limit_and_read_back()
    {
        var ids = Enumerable.Range(1, 3000).Select(i => 1_000_000_000L + i).ToList();
        var payloads = RouteNotifications.Payloads(ids).ToList();
        Assert.True(payloads.Count > 1);
        Assert.All(payloads, p => Assert.True(p.Length < 8000, $"{p.Length} bytes"));
        Assert.Equal(ids, payloads.SelectMany(RouteNotifications.Parse));
        Assert.Equal([5L, 7L], RouteNotifications.Parse("5, x,,7,-3"));
        Assert.Empty(RouteNotifications.Payloads([]));
    }
}
