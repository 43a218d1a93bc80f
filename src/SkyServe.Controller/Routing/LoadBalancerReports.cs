using SkyServe.Contracts.Routing;
using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Controller.Services;
using SkyServe.Core.Domain;

namespace SkyServe.Controller.Routing;

/// <summary>What load balancers tell the controller besides request counts: their endpoints and failed replicas.</summary>
public sealed class LoadBalancerReports(IServiceScopeFactory scopes, RequestRates rates, TimeProvider time)
{
    /// <summary>
    /// Stores a stats post (request counts for the autoscaler, endpoints the first time) with a fixed number of queries;
    /// returns the services that were scaled to zero and now have requests waiting, to be reconciled at once.
    /// </summary>
    public async Task<IReadOnlyList<long>> RecordStatsAsync(IReadOnlyList<ServiceRequestStats> posted, CancellationToken ct)
    {
        if (posted.Count == 0)
            return [];
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        var byName = posted.GroupBy(s => s.Name).ToDictionary(g => g.Key, g => (Requests: g.Sum(s => s.Requests), Endpoint: g.Select(s => s.Endpoint).FirstOrDefault(e => e is not null)));
        var names = byName.Keys.ToList();
        var services = await db.Services.Where(s => names.Contains(s.Name))
            .Select(s => new { s.Id, s.Name, s.Endpoint, s.AutoscalerTarget }).ToListAsync(ct);
        await rates.RecordAsync(db, services.Select(s => (s.Id, byName[s.Name].Requests)), ct);
        await db.SaveChangesAsync(ct);
        // The first load balancer to serve a service names its endpoint; others serve the same name.
        foreach (var service in services.Where(s => s.Endpoint is null && byName[s.Name].Endpoint is not null))
        {
            var endpoint = byName[service.Name].Endpoint;
            await db.Services.Where(s => s.Id == service.Id && s.Endpoint == null).ExecuteUpdateAsync(u => u.SetProperty(s => s.Endpoint, endpoint), ct);
        }
        return services.Where(s => s.AutoscalerTarget == 0 && byName[s.Name].Requests > 0).Select(s => s.Id).ToList();
    }

    /// <summary>Passive health: the replica is out of rotation at once; probing decides whether it comes back or is replaced.</summary>
    public async Task<long?> RecordFailureAsync(ReplicaFailureReport report, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        var replica = await db.Replicas.Join(db.Services.Where(s => s.Name == report.Service), r => r.ServiceId, s => s.Id, (r, s) => r)
            .SingleOrDefaultAsync(r => r.ReplicaId == report.ReplicaId, ct);
        if (replica?.Status != ReplicaStatus.READY)
            return null;
        db.SetStatus(replica, ReplicaStatus.NOT_READY, $"load balancer: {report.Reason}", time.GetUtcNow().UtcDateTime);
        await SaveIgnoringRacesAsync(db, ct);
        return replica.ServiceId;
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
