using SkyServe.Contracts.Routing;
using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Services;
using SkyServe.Core.Domain;

namespace SkyServe.Controller.Routing;

/// <summary>What load balancers tell the controller besides request counts: their endpoints and failed replicas.</summary>
public sealed class LoadBalancerReports(IServiceScopeFactory scopes, TimeProvider time)
{
    public async Task RecordEndpointsAsync(IEnumerable<ServiceRequestStats> services, CancellationToken ct)
    {
        var endpoints = services.Where(s => s.Endpoint is not null).ToDictionary(s => s.Name, s => s.Endpoint!);
        if (endpoints.Count == 0)
            return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        var names = endpoints.Keys.ToList();
        foreach (var service in await db.Services.Where(s => names.Contains(s.Name)).ToListAsync(ct))
            if (service.Endpoint is null) // the first load balancer to serve it names it; others serve the same name
                service.Endpoint = endpoints[service.Name];
        await SaveIgnoringRacesAsync(db, ct);
    }

    /// <summary>Passive health: the replica is out of rotation at once; probing decides whether it comes back or is replaced.</summary>
    public async Task RecordFailureAsync(ReplicaFailureReport report, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        var replica = await db.Replicas.Join(db.Services.Where(s => s.Name == report.Service), r => r.ServiceId, s => s.Id, (r, s) => r)
            .SingleOrDefaultAsync(r => r.ReplicaId == report.ReplicaId, ct);
        if (replica?.Status != ReplicaStatus.READY)
            return;
        db.SetStatus(replica, ReplicaStatus.NOT_READY, $"load balancer: {report.Reason}", time.GetUtcNow().UtcDateTime);
        await SaveIgnoringRacesAsync(db, ct);
    }

    private static async Task SaveIgnoringRacesAsync(ControllerDb db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // The reconcile loop wrote the row meanwhile; the next report or probe settles it.
        }
    }
}
