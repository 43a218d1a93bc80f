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

    [Fact]
    public async Task A_leader_whose_lock_session_is_dropped_stops_leading_before_another_takes_over()
    {
        // The probe of issue 14: PostgreSQL stays up but ends the lock's session (an idle-session timeout, a proxy, a
        // network reset). The old leader must notice by itself; two leaders at once would both launch machines.
        var connection = postgres.NewDatabase("leader");
        await using var a = await ControllerServer.StartAsync(Database.Postgres, Path.Combine(data.Path, "a"), postgres, connection, reconcile: true);
        await using var b = await ControllerServer.StartAsync(Database.Postgres, Path.Combine(data.Path, "b"), postgres, connection, reconcile: true);
        await Eventually.TrueAsync(async () => await LeadsAsync(a) ^ await LeadsAsync(b), TimeSpan.FromSeconds(30), () => "exactly one leader");
        var (leader, standby) = await LeadsAsync(a) ? (a, b) : (b, a);

        await using (var admin = new Npgsql.NpgsqlConnection(connection))
        {
            await admin.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND granted", admin);
            Assert.Equal(1L, (long)(await drop.ExecuteScalarAsync())!);
        }

        var election = leader.Services.GetRequiredService<LeaderElection>();
        await Eventually.TrueAsync(() => !election.HoldsLock, TimeSpan.FromSeconds(5), () => "the old leader noticing its lock is gone");
        await Eventually.TrueAsync(async () => await LeadsAsync(standby) || await LeadsAsync(leader), TimeSpan.FromSeconds(10), () => "a new leader");
        Assert.False(await LeadsAsync(a) && await LeadsAsync(b), "two leaders at once");
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
