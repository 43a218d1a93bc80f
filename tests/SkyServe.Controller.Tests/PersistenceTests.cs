using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Domain;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>What the controller stores, on SQLite and on a real PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PersistenceTests(PostgresServer postgres) : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task A_restart_loses_nothing(Database db)
    {
        var connection = postgres.NewDatabase();
        JsonNode before;
        await using (var server = await ControllerServer.StartAsync(db, data.Path, postgres, connection))
        {
            await server.Client.CreateAsync(Specs.Named("alpha", Specs.Autoscaled));
            await server.Client.CreateAsync(Specs.Named("beta"));
            await server.Client.PutAsync("/api/v1/services/alpha?mode=rolling", HttpJson.Yaml(Specs.Autoscaled));
            await AddReplicaAsync(server, "alpha", ReplicaStatus.READY);
            before = await (await server.Client.GetAsync("/api/v1/services/alpha")).ReadJsonAsync();
        }
        await using var restarted = await ControllerServer.StartAsync(db, data.Path, postgres, connection);
        var after = await (await restarted.Client.GetAsync("/api/v1/services/alpha")).ReadJsonAsync();
        Assert.Equal(before.ToJsonString(), after.ToJsonString());
        Assert.Equal(2, after["versions"]!.AsArray().Count);
        Assert.Equal("aws/us-east-1/us-east-1a", after["replicas"]![0]!["location"]!.GetValue<string>());
        var names = ((JsonArray)(await (await restarted.Client.GetAsync("/api/v1/services")).ReadJsonAsync())).Select(s => s!["name"]!.GetValue<string>());
        Assert.Equal(["alpha", "beta"], names);
    }

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task Concurrent_writes_to_one_row_are_detected(Database db)
    {
        await using var server = await ControllerServer.StartAsync(db, data.Path, postgres);
        await server.Client.CreateAsync(Specs.Named("svc"));
        await using var first = server.Services.CreateAsyncScope();
        await using var second = server.Services.CreateAsyncScope();
        var a = await first.ServiceProvider.GetRequiredService<ControllerDb>().Services.SingleAsync(s => s.Name == "svc");
        var b = await second.ServiceProvider.GetRequiredService<ControllerDb>().Services.SingleAsync(s => s.Name == "svc");
        a.Status = ServiceStatus.READY;
        await first.ServiceProvider.GetRequiredService<ControllerDb>().SaveChangesAsync();
        b.Status = ServiceStatus.FAILED;
        await Assert.ThrowsAsync<DbUpdateConcurrencyException>(() => second.ServiceProvider.GetRequiredService<ControllerDb>().SaveChangesAsync());
    }

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task Down_with_live_replicas_shuts_down_and_records_events(Database db)
    {
        await using var server = await ControllerServer.StartAsync(db, data.Path, postgres);
        await server.Client.CreateAsync(Specs.Named("svc"));
        await AddReplicaAsync(server, "svc", ReplicaStatus.READY);
        await AddReplicaAsync(server, "svc", ReplicaStatus.PREEMPTED);
        await AddReplicaAsync(server, "svc", ReplicaStatus.FAILED_CLEANUP);

        // Finished replicas leave the lists (their events stay); one whose machine may still run does not.
        async Task<List<string>> StatusesAsync(string path) => ((JsonArray)(await (await server.Client.GetAsync(path)).ReadJsonAsync()))
            .Select(r => r!["status"]!.GetValue<string>()).ToList();
        Assert.Equal(["READY", "FAILED_CLEANUP"], await StatusesAsync("/api/v1/services/svc/replicas"));
        Assert.Equal(["READY", "PREEMPTED", "FAILED_CLEANUP"], await StatusesAsync("/api/v1/services/svc/replicas?all=true"));
        var detail = await (await server.Client.GetAsync("/api/v1/services/svc")).ReadJsonAsync();
        Assert.Equal(2, detail["replicas"]!.AsArray().Count);
        Assert.Equal(3, (await (await server.Client.GetAsync("/api/v1/services/svc?all=true")).ReadJsonAsync())["replicas"]!.AsArray().Count);

        var terminate = await server.Client.DeleteAsync("/api/v1/services/svc/replicas/1");
        Assert.Equal(HttpStatusCode.Accepted, terminate.StatusCode);
        Assert.Equal("SHUTTING_DOWN", (await terminate.ReadJsonAsync())["status"]!.GetValue<string>());

        var down = await server.Client.DeleteAsync("/api/v1/services/svc");
        Assert.Equal(HttpStatusCode.Accepted, down.StatusCode);
        Assert.Equal("SHUTTING_DOWN", (await (await server.Client.GetAsync("/api/v1/services/svc")).ReadJsonAsync())["status"]!.GetValue<string>());
        await (await server.Client.PutAsync("/api/v1/services/svc", HttpJson.Yaml(Specs.Minimal))).AssertProblemAsync(409);

        var events = (JsonArray)(await (await server.Client.GetAsync("/api/v1/services/svc/events")).ReadJsonAsync());
        Assert.Contains(events, e => e!["replica_id"]?.GetValue<int>() == 1 && e["to_status"]!.GetValue<string>() == "SHUTTING_DOWN"
            && e["from_status"]!.GetValue<string>() == "READY");
        Assert.Contains(events, e => e!["replica_id"] is null && e["to_status"]!.GetValue<string>() == "SHUTTING_DOWN");
        var afterFirst = (JsonArray)(await (await server.Client.GetAsync($"/api/v1/services/svc/events?after={events[0]!["id"]}&limit=1")).ReadJsonAsync());
        Assert.Equal(events[1]!["id"]!.GetValue<long>(), Assert.Single(afterFirst)!["id"]!.GetValue<long>());

        var purge = await server.Client.DeleteAsync("/api/v1/services/svc?purge=true");
        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        await (await server.Client.GetAsync("/api/v1/services/svc")).AssertProblemAsync(404);
        await using var scope = server.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        Assert.Equal(0, await store.Replicas.CountAsync());
        Assert.Equal(0, await store.ServiceEvents.CountAsync());
    }

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task Schema_matches_model(Database db)
    {
        await using var server = await ControllerServer.StartAsync(db, data.Path, postgres);
        await using var scope = server.Services.CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        foreach (var entity in context.Model.GetEntityTypes())
        {
            var table = entity.GetTableName()!;
            var expected = entity.GetProperties()
                .Select(p => $"{p.GetColumnName()}:{(p.IsNullable ? "null" : "not null")}")
                .Order().ToList();
            var sql = db == Database.Sqlite
                ? "SELECT name || ':' || (CASE WHEN \"notnull\" = 1 OR pk = 1 THEN 'not null' ELSE 'null' END) AS \"Value\" FROM pragma_table_info({0})"
                : "SELECT column_name || ':' || (CASE WHEN is_nullable = 'NO' THEN 'not null' ELSE 'null' END) AS \"Value\" FROM information_schema.columns WHERE table_name = {0}";
            var actual = (await context.Database.SqlQueryRaw<string>(sql, table).ToListAsync()).Order().ToList();
            Assert.Equal(expected, actual);
        }
        Assert.Empty(await context.Database.GetPendingMigrationsAsync());
    }

    private static async Task AddReplicaAsync(ControllerServer server, string serviceName, ReplicaStatus status)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        var service = await db.Services.SingleAsync(s => s.Name == serviceName);
        var now = DateTime.UtcNow;
        db.Replicas.Add(new ReplicaRecord
        {
            ServiceId = service.Id, ReplicaId = service.NextReplicaId++, Version = service.CurrentVersion, Status = status,
            IsSpot = true, Cloud = "aws", Region = "us-east-1", Zone = "us-east-1a", LaunchToken = Guid.NewGuid(),
            HourlyPrice = 0.35m, CreatedAt = now, StatusChangedAt = now,
        });
        await db.SaveChangesAsync();
    }
}
