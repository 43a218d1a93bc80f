using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Domain;
using SkyServe.Core.Policies;
using SkyServe.Testing;

namespace SkyServe.Controller.Tests;

/// <summary>A replica's worker nodes (replicas.worker_nodes) on SQLite and on a real PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ReplicaNodesPersistenceTests(PostgresServer postgres) : IDisposable
{
    private readonly TempDirectory data = new();

    public void Dispose() => data.Dispose();

    [Theory]
    [InlineData(Database.Sqlite)]
    [InlineData(Database.Postgres)]
    public async Task Worker_nodes_are_kept_changed_as_a_whole_and_found_by_their_machine(Database db)
    {
        await using var server = await ControllerServer.StartAsync(db, data.Path, postgres);
        await server.Client.CreateAsync(Specs.Named("svc"));
        var token = Guid.NewGuid();
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<ControllerDb>();
            var service = await context.Services.SingleAsync(s => s.Name == "svc");
            var now = DateTime.UtcNow;
            context.Replicas.Add(new ReplicaRecord
            {
                ServiceId = service.Id, ReplicaId = service.NextReplicaId++, Version = 1, Status = ReplicaStatus.STARTING, Cloud = "aws",
                Region = "us-east-1", Zone = "us-east-1a", LaunchToken = token, InstanceId = "i-head", CreatedAt = now, StatusChangedAt = now,
                WorkerNodes = [new ReplicaNode { Rank = 1, LaunchToken = NodeGang.TokenFor(token, 1) }],
            });
            context.Replicas.Add(new ReplicaRecord
            {
                ServiceId = service.Id, ReplicaId = service.NextReplicaId++, Version = 1, Status = ReplicaStatus.STARTING, Cloud = "aws",
                Region = "us-east-1", Zone = "us-east-1a", LaunchToken = Guid.NewGuid(), InstanceId = "i-single", CreatedAt = now, StatusChangedAt = now,
            });
            await context.SaveChangesAsync();
        }
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<ControllerDb>();
            var replica = await context.Replicas.SingleAsync(r => r.LaunchToken == token);
            // Replaced as a whole, the list is saved (its comparer looks at the content).
            replica.WorkerNodes = [replica.WorkerNodes![0] with { InstanceId = "i-worker", Endpoint = "http://10.0.0.8:8081" }];
            await context.SaveChangesAsync();
        }
        await using (var scope = server.Services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<ControllerDb>();
            var single = await context.Replicas.AsNoTracking().SingleAsync(r => r.InstanceId == "i-single");
            Assert.Null(single.WorkerNodes);
            Assert.Equal(1, single.NodeCount);
            var found = await NoticeIntake.ReplicaOfMachineAsync(context, "i-worker", CancellationToken.None);
            Assert.NotNull(found);
            Assert.Equal(token, found.LaunchToken);
            var worker = Assert.Single(found.WorkerNodes!);
            Assert.Equal(new ReplicaNode { Rank = 1, LaunchToken = NodeGang.TokenFor(token, 1), InstanceId = "i-worker", Endpoint = "http://10.0.0.8:8081" },
                worker);
            Assert.Equal(["i-head", "i-worker"], found.MachineIds);
            Assert.Null(await NoticeIntake.ReplicaOfMachineAsync(context, "i-nobody", CancellationToken.None));
        }
    }
}
