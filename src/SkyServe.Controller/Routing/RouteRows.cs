using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Domain;

namespace SkyServe.Controller.Routing;

/// <summary>What the routing table reads of one service: its row, its current version's routing columns, its routable replicas.</summary>
/// <param name="VersionRowId">The current version's row (its spec is parsed once, see <see cref="RoutedSpecs"/>); null if it is missing.</param>
/// <param name="ServingVersions">The versions the reconciler last chose to serve (<see cref="ServingVersionsColumn"/>).</param>
internal sealed record ServiceRouteRow(
    long Id, string Name, ServiceStatus Status, int CurrentVersion, string? ServingVersions, long? VersionRowId, string? LoadBalancingPolicy,
    int? MinReplicas, List<ReplicaRouteRow> Replicas, int? EndpointPort = null);

/// <summary>A READY replica, not under notice, with an endpoint.</summary>
internal sealed record ReplicaRouteRow(int ReplicaId, string Endpoint, int Version, string Cloud, string Region, string Zone, bool IsSpot, string? Accelerator);

internal static class RouteRows
{
    // The columns the query below reads; a change to any other (costs, timestamps, stamps) cannot change a route.
    private static readonly HashSet<string> ServiceColumns =
        [nameof(ServiceRecord.Name), nameof(ServiceRecord.Status), nameof(ServiceRecord.CurrentVersion), nameof(ServiceRecord.ServingVersions)];
    private static readonly HashSet<string> ReplicaColumns =
    [
        nameof(ReplicaRecord.ServiceId), nameof(ReplicaRecord.ReplicaId), nameof(ReplicaRecord.Status), nameof(ReplicaRecord.NoticeDeadline),
        nameof(ReplicaRecord.Endpoint), nameof(ReplicaRecord.Version), nameof(ReplicaRecord.Cloud), nameof(ReplicaRecord.Region),
        nameof(ReplicaRecord.Zone), nameof(ReplicaRecord.IsSpot), nameof(ReplicaRecord.Accelerator),
    ];

    /// <summary>Whether saving this entry may change its service's routes.</summary>
    public static bool Affects(EntityEntry entry) => entry.State switch
    {
        EntityState.Added or EntityState.Deleted => entry.Entity is ServiceRecord or ReplicaRecord or ServiceVersionRecord,
        EntityState.Modified => entry.Entity switch
        {
            ServiceRecord => entry.Properties.Any(p => p.IsModified && ServiceColumns.Contains(p.Metadata.Name)),
            ReplicaRecord => entry.Properties.Any(p => p.IsModified && ReplicaColumns.Contains(p.Metadata.Name)),
            ServiceVersionRecord => true, // stored specs do not change, but one edited by hand is read again
            _ => false,
        },
        _ => false,
    };

    /// <summary>One query for the given services (all when null), leaving out those shutting down; only the columns routes need.</summary>
    public static Task<List<ServiceRouteRow>> LoadAsync(ControllerDb db, IReadOnlyCollection<long>? serviceIds, CancellationToken ct)
    {
        var services = db.Services.AsNoTracking().Where(s => s.Status != ServiceStatus.SHUTTING_DOWN);
        if (serviceIds is not null)
        {
            var ids = serviceIds.ToArray();
            services = services.Where(s => ids.Contains(s.Id));
        }
        return (
            from s in services
            join v in db.ServiceVersions on new { s.Id, Version = s.CurrentVersion } equals new { Id = v.ServiceId, v.Version } into current
            from v in current.DefaultIfEmpty()
            select new ServiceRouteRow(
                s.Id, s.Name, s.Status, s.CurrentVersion, s.ServingVersions,
                v == null ? null : v.Id, v == null ? null : v.LoadBalancingPolicy, v == null ? null : v.MinReplicas,
                s.Replicas
                    .Where(r => r.Status == ReplicaStatus.READY && r.NoticeDeadline == null && r.Endpoint != null)
                    .Select(r => new ReplicaRouteRow(r.ReplicaId, r.Endpoint!, r.Version, r.Cloud, r.Region, r.Zone, r.IsSpot, r.Accelerator))
                    .ToList(),
                s.EndpointPort)
        ).ToListAsync(ct);
    }
}
