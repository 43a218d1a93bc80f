using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Domain;

namespace SkyServe.Controller.Tests;

/// <summary>Services and replicas written straight into a controller's database: many of them, quickly.</summary>
internal static class ServiceSeed
{
    /// <param name="replicaStatuses">The statuses of each service's replicas, one replica each.</param>
    public static async Task AddAsync(ControllerServer server, IEnumerable<string> names, params ReplicaStatus[] replicaStatuses)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        var at = new DateTime(2026, 12, 5, 12, 0, 0, DateTimeKind.Utc);
        var services = names.Select(n => new ServiceRecord { Name = n, Status = ServiceStatus.READY, CurrentVersion = 1, CreatedAt = at, UpdatedAt = at }).ToList();
        db.Services.AddRange(services);
        await db.SaveChangesAsync();
        foreach (var service in services)
        {
            db.Replicas.AddRange(replicaStatuses.Select((status, i) => new ReplicaRecord
            {
                ServiceId = service.Id, ReplicaId = i + 1, Version = 1, Status = status, IsSpot = i % 2 == 0,
                LaunchToken = Guid.NewGuid(), CreatedAt = at, StatusChangedAt = at,
            }));
        }
        await db.SaveChangesAsync();
    }
}
