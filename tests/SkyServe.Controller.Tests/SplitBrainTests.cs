using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>
/// Split brain, as issue 14 probed it: PostgreSQL stays up but ends the lease holder's lock session. The other controller
/// takes over, and from then on the old one launches nothing, terminates nothing and writes nothing — read from the
/// cloud's records (every launch and termination each controller asked for) and the database's (a trigger that records
/// which controller's connections wrote which table). Its own cluster, so the audit trigger disturbs no other test.
/// </summary>
public sealed class SplitBrainTests : IAsyncLifetime
{
    private readonly PostgresServer postgres = new();
    private readonly TempDirectory data = new();

    public Task InitializeAsync() => postgres.InitializeAsync();

    public async Task DisposeAsync()
    {
        await postgres.DisposeAsync();
        data.Dispose();
    }

    private const string Spec = """
        service:
          readiness_probe: /ready
          replicas: 3
          ports: 8080
        resources:
          cloud: aws
          cpus: 8
        """;

    [Fact]
    public async Task The_old_leader_launches_terminates_and_writes_nothing_once_another_has_taken_its_lease()
    {
        var database = postgres.NewDatabase("split");
        var shared = Path.Combine(data.Path, "shared"); // one local runtime: each controller can see the other's machines
        var a = await StartAsync(database, shared, "ctl-a");
        var b = await StartAsync(database, shared, "ctl-b");
        await using var serverA = a.Server;
        await using var serverB = b.Server;
        await InstallAuditAsync(database);

        await Eventually.TrueAsync(() => a.Election.HoldsLock ^ b.Election.HoldsLock, TimeSpan.FromSeconds(30), () => "exactly one leader");
        var (old, next) = a.Election.HoldsLock ? (a, b) : (b, a);
        var created = await next.Server.Client.PostAsync("/api/v1/services?name=svc", new StringContent(Spec, Encoding.UTF8, "application/yaml"));
        Assert.True(created.IsSuccessStatusCode, await created.Content.ReadAsStringAsync());
        await Eventually.TrueAsync(() => old.Provider.Acts.Count(x => x.Call == "launch") >= 3, TimeSpan.FromSeconds(30), () => "the leader launching");
        var oldGeneration = old.Election.Generation;

        await using (var admin = new NpgsqlConnection(database))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_locks WHERE locktype = 'advisory' AND granted", admin);
            Assert.Equal(1L, (long)(await drop.ExecuteScalarAsync())!);
        }
        await Eventually.TrueAsync(() => next.Election.HoldsLock, TimeSpan.FromSeconds(15), () => "the other controller taking over");
        Assert.True(next.Election.Generation > oldGeneration);
        var takenAt = await ScalarAsync<DateTime>(database, "SELECT acquired_at FROM controller_leases WHERE name = 'reconcile'");

        // Give the new leader work (a fourth replica) and the old one every chance to act on its stale view.
        var updated = await next.Server.Client.PutAsync("/api/v1/services/svc", new StringContent(Spec.Replace("replicas: 3", "replicas: 4"), Encoding.UTF8, "application/yaml"));
        Assert.True(updated.IsSuccessStatusCode, await updated.Content.ReadAsStringAsync());
        await Eventually.TrueAsync(() => next.Provider.Acts.Count(x => x.Call == "launch") >= 1, TimeSpan.FromSeconds(30), () => "the new leader launching");

        // A write or act under the old generation is refused by the database itself.
        await using (var scope = old.Server.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
            db.Fence = oldGeneration;
            var service = await db.Services.SingleAsync(s => s.Name == "svc");
            service.NextReplicaId += 100;
            await Assert.ThrowsAsync<LeaseLostException>(() => db.SaveChangesAsync());
            await Assert.ThrowsAsync<LeaseLostException>(() => old.Election.EnsureHeldAsync(db, oldGeneration, CancellationToken.None));
            try
            {
                // Refused at its first write or act, if it has any to do; the records below show it did none.
                await scope.ServiceProvider.GetRequiredService<ServiceReconciler>().ReconcileAsync(service.Id, oldGeneration, CancellationToken.None);
            }
            catch (LeaseLostException)
            {
            }
        }
        await using (var scope = next.Server.Services.CreateAsyncScope())
            Assert.True((await scope.ServiceProvider.GetRequiredService<ControllerDb>().Services.SingleAsync(s => s.Name == "svc")).NextReplicaId < 100);

        var oldActs = old.Provider.Acts.Where(x => x.At.UtcDateTime >= takenAt).ToList();
        Assert.True(oldActs.Count == 0, $"the old leader acted after the takeover: {string.Join(", ", oldActs)}");
        var oldWrites = await ScalarAsync<long>(database, $"SELECT count(*) FROM write_audit WHERE app = '{old.Name}' AND at >= '{takenAt:O}'");
        Assert.True(oldWrites == 0, $"the old leader wrote {oldWrites} times after the takeover");
        Assert.True(await ScalarAsync<long>(database, $"SELECT count(*) FROM write_audit WHERE app = '{next.Name}' AND at >= '{takenAt:O}'") > 0,
            "the audit saw the new leader's writes");
    }

    private sealed record Controller(string Name, ControllerServer Server, RecordingCloudProvider Provider, LeaderElection Election);

    private static async Task<Controller> StartAsync(string database, string dataDirectory, string name)
    {
        var options = new ControllerOptions
        {
            DataDirectory = dataDirectory,
            PostgresConnectionString = $"{database};Application Name={name}",
            Urls = "http://127.0.0.1:0",
            Reconcile = new ReconcileOptions { Interval = TimeSpan.FromMilliseconds(500) },
            ConfigDirectory = RepoPaths.Config,
        };
        var provider = new RecordingCloudProvider(await LocalRuntimeSetup.StartAsync(options, NullLogger.Instance));
        var server = await ControllerServer.StartAsync(options, provider);
        return new Controller(name, server, provider, server.Services.GetRequiredService<LeaderElection>());
    }

    /// <summary>Records, per statement, which connection (by application name) wrote which of the controller's tables.</summary>
    private static async Task InstallAuditAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        var sql = """
            CREATE TABLE write_audit (at timestamptz NOT NULL DEFAULT clock_timestamp(), app text NOT NULL, tbl text NOT NULL);
            CREATE FUNCTION audit_write() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO write_audit (app, tbl) VALUES (current_setting('application_name'), TG_TABLE_NAME); RETURN NULL; END $$;
            """ + string.Concat(new[] { "services", "service_versions", "replicas", "service_events", "location_states" }.Select(t =>
            $"CREATE TRIGGER audit_{t} AFTER INSERT OR UPDATE OR DELETE ON {t} FOR EACH STATEMENT EXECUTE FUNCTION audit_write();\n"));
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
