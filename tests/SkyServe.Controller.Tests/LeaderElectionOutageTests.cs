using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>
/// Two controllers on one PostgreSQL, which stops and starts: the leader stops leading as soon as its lock's
/// connection breaks (nobody leads while the database is away), and one of them leads again after its return.
/// Its own cluster, so that stopping it disturbs no other test.
/// </summary>
public sealed class LeaderElectionOutageTests : IAsyncLifetime
{
    private readonly PostgresServer postgres = new();
    private readonly TempDirectory data = new();

    public Task InitializeAsync() => postgres.InitializeAsync();

    public async Task DisposeAsync()
    {
        await postgres.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    public async Task Leadership_ends_with_the_database_and_is_taken_again_by_one_controller_after_its_return()
    {
        var connection = postgres.NewDatabase("leader");
        await using var a = await ControllerServer.StartAsync(Database.Postgres, Path.Combine(data.Path, "a"), postgres, connection, reconcile: true);
        await using var b = await ControllerServer.StartAsync(Database.Postgres, Path.Combine(data.Path, "b"), postgres, connection, reconcile: true);

        await Eventually.TrueAsync(async () => await LeadsAsync(a) ^ await LeadsAsync(b), TimeSpan.FromSeconds(30), () => "exactly one leader");
        var leader = await LeadsAsync(a) ? a : b;

        await postgres.StopAsync();
        var stopped = Stopwatch.StartNew();
        await Eventually.TrueAsync(async () => !await LeadsAsync(leader), TimeSpan.FromSeconds(5), () => "the leader giving up with its lock's connection");
        Assert.False(await LeadsAsync(a) || await LeadsAsync(b), "nobody leads while the database is away");
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(5));

        await postgres.StartAsync();
        await Eventually.TrueAsync(async () => await LeadsAsync(a) ^ await LeadsAsync(b), TimeSpan.FromSeconds(10), () => "exactly one leader again");
    }

    /// <summary>What the reconcile loop would conclude: a database that cannot be asked makes nobody the leader.</summary>
    private static async Task<bool> LeadsAsync(ControllerServer controller)
    {
        try
        {
            return await controller.Services.GetRequiredService<LeaderElection>().IsLeaderAsync(CancellationToken.None);
        }
        catch (Exception e) when (DatabaseFailures.IsTransient(e))
        {
            return false;
        }
    }
}
