using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Domain;

namespace SkyServe.Controller.Api;

/// <summary>
/// One page of <c>GET /api/v1/services</c>, and the fleet's <c>GET /api/v1/summary</c>, read set-based: two queries whatever
/// the page's size (the page's services, then the few columns of their replicas that counts and costs need), no spec text.
/// </summary>
internal static class ServiceListPage
{
    /// <param name="after">The name the page starts after (null: from the first).</param>
    /// <returns>The page, and whether services follow it.</returns>
    public static async Task<(IReadOnlyList<ServiceSummaryView> Items, bool More)> ReadAsync(ControllerDb db, string? after, int limit,
        Func<string, string, string?, decimal?> onDemandPrice, DateTime now, CancellationToken ct)
    {
        var query = db.Services.AsNoTracking();
        if (after is not null)
            query = query.Where(s => s.Name.CompareTo(after) > 0);
        // One row past the page tells whether another page follows, without a count over the whole table.
        var rows = await query.OrderBy(s => s.Name).Take(limit + 1)
            .Select(s => new { s.Id, s.Name, s.Status, s.CurrentVersion, s.Endpoint, s.CreatedAt, s.UpdatedAt, s.RetiredCost })
            .ToListAsync(ct);
        var more = rows.Count > limit;
        if (more)
            rows.RemoveAt(limit);
        if (rows.Count == 0)
            return ([], false);

        var ids = rows.Select(r => r.Id).ToList();
        var replicas = (await SlimReplicas(db.Replicas.Where(r => ids.Contains(r.ServiceId))).ToListAsync(ct)).ToLookup(r => r.ServiceId);
        return (rows.Select(s =>
        {
            var of = replicas[s.Id].ToList();
            var counts = Counts.Of(of);
            return new ServiceSummaryView(s.Name, s.Status.ToString(), s.CurrentVersion, s.Endpoint, counts.Ready, counts.Live,
                s.CreatedAt, s.UpdatedAt, counts.Spot, counts.OnDemand,
                CostView.From(CostAccounting.Summarize(of, s.RetiredCost, onDemandPrice, now)));
        }).ToList(), more);
    }

    /// <summary>The whole fleet in two queries: the services' retired costs, and every replica's few columns.</summary>
    public static async Task<FleetSummaryView> FleetAsync(ControllerDb db, Func<string, string, string?, decimal?> onDemandPrice,
        DateTime now, CancellationToken ct)
    {
        var services = await db.Services.AsNoTracking().Select(s => s.RetiredCost).ToListAsync(ct);
        var replicas = await SlimReplicas(db.Replicas).ToListAsync(ct);
        var counts = Counts.Of(replicas);
        return new FleetSummaryView(services.Count, counts.Live, counts.Ready, counts.Spot, counts.OnDemand,
            CostView.From(CostAccounting.Summarize(replicas, services.Sum(), onDemandPrice, now)), PricesFrom, now);
    }

    /// <summary>Says where the counterfactual's prices come from.</summary>
    public const string PricesFrom = "catalog on-demand list prices of the same instance type and region (config/catalog, see each file's Compiled date)";

    /// <summary>Only the columns counts and costs read (no spec, endpoint or tokens).</summary>
    private static IQueryable<ReplicaRecord> SlimReplicas(IQueryable<ReplicaRecord> replicas) => replicas.AsNoTracking()
        .Select(r => new ReplicaRecord
        {
            ServiceId = r.ServiceId, Status = r.Status, IsSpot = r.IsSpot, Cloud = r.Cloud, Region = r.Region, InstanceType = r.InstanceType,
            InstanceId = r.InstanceId, HourlyPrice = r.HourlyPrice, CreatedAt = r.CreatedAt, StatusChangedAt = r.StatusChangedAt,
        });

    private readonly record struct Counts(int Ready, int Live, int Spot, int OnDemand)
    {
        // Which statuses count as live stays Core's word (IsTerminal), so it is applied here rather than in SQL.
        public static Counts Of(IReadOnlyCollection<ReplicaRecord> replicas) => new(
            replicas.Count(r => r.Status == ReplicaStatus.READY),
            replicas.Count(r => !r.Status.IsTerminal()),
            replicas.Count(r => r.IsSpot && !r.Status.IsTerminal()),
            replicas.Count(r => !r.IsSpot && !r.Status.IsTerminal()));
    }
}
