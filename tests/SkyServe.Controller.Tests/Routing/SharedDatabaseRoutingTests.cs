using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Reconcile;
using SkyServe.Controller.Routing;
using SkyServe.Core.Domain;
using SkyServe.Testing;
using Xunit.Abstractions;

namespace SkyServe.Controller.Tests.Routing;

/// <summary>
/// Two controllers on one PostgreSQL: a write through one reaches the load balancers that follow the other at once,
/// through NOTIFY, though the other's periodic full recompute is a minute away; and a listener that lost its connection
/// (and so perhaps notices) rereads everything when it is back.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class SharedDatabaseRoutingTests(PostgresServer postgres, ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    private Task<ControllerServer> StartAsync(string name, string connection) => ControllerServer.StartAsync(new ControllerOptions
    {
        DataDirectory = Path.Combine(data.Path, name),
        PostgresConnectionString = connection,
        Urls = "http://127.0.0.1:0",
        Reconcile = new ReconcileOptions { Enabled = false },
        Routing = new RoutingOptions { FullRecomputeInterval = TimeSpan.FromSeconds(60) },
    });

    [Fact]
    public async Task A_write_through_one_controller_reaches_the_long_polls_of_another_within_a_second()
    {
        var connection = postgres.NewDatabase("routes");
        await using var a = await StartAsync("a", connection);
        await using var b = await StartAsync("b", connection);
        var listener = b.Services.GetRequiredService<RouteChangeListener>();
        await Eventually.TrueAsync(() => listener.IsListening, TimeSpan.FromSeconds(10), () => "b listening");

        // A first write that b sees, by whatever path: after it, b's start-up rereads are behind it and only notices remain.
        await a.Client.CreateAsync(Specs.Named("chat"));
        var start = await LbRoutes.FullWhenAsync(b.Client, r => r.Names().Contains("chat"), "b routing chat");

        // One replica untimed (b's first reread of a single service prepares its query), then one timed from its commit.
        await LbRoutes.AddReplicaAsync(a, "chat", ReplicaStatus.READY, "http://10.0.0.1:8080");
        var first = await LbRoutes.GetAsync(b.Client, start.Revision, 5);
        Assert.Single(Assert.Single(first.Services).ReadyReplicas);
        var poll = LbRoutes.GetAsync(b.Client, first.Revision, 5);
        await LbRoutes.AddReplicaAsync(a, "chat", ReplicaStatus.READY, "http://10.0.0.2:8080");
        var clock = Stopwatch.StartNew();
        var delta = await poll;
        var took = clock.Elapsed;
        output.WriteLine($"a's write reached b's long poll after {took.TotalMilliseconds:0} ms");
        Assert.False(delta.Full);
        Assert.Equal(["http://10.0.0.1:8080", "http://10.0.0.2:8080"], Assert.Single(delta.Services).ReadyReplicas.Select(r => r.Url));
        Assert.True(took < TimeSpan.FromSeconds(1), $"b's load balancers learnt of a's write {took.TotalMilliseconds:0} ms after it");

        // A write that notifies nobody (by hand, outside any controller) stays unseen until a full recompute ...
        await using (var admin = new NpgsqlConnection(connection))
        {
            await admin.OpenAsync();
            await using var unready = new NpgsqlCommand("UPDATE replicas SET status = 'NOT_READY'", admin);
            Assert.Equal(2, await unready.ExecuteNonQueryAsync());
            var quiet = await LbRoutes.GetAsync(b.Client, delta.Revision, 1);
            Assert.Empty(quiet.Services);

            // ... which a listener's new connection brings about at once: notices may have been lost while it was away.
            await using var cut = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'skyserve-routes' AND datname = current_database()", admin);
            Assert.Equal(2L, (long)(await cut.ExecuteScalarAsync())!);
        }
        clock.Restart();
        var reread = await LbRoutes.GetAsync(b.Client, delta.Revision, 10);
        output.WriteLine($"the reread after the reconnection came {clock.ElapsedMilliseconds} ms after the cut");
        Assert.Empty(Assert.Single(reread.Services).ReadyReplicas);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the reread after the reconnection took {clock.Elapsed.TotalSeconds:0.0} s");
    }
}
