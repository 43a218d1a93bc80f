using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Domain;

namespace SkyServe.Controller.Api;

/// <summary>
/// One page of <c>GET /api/v1/services</c>, summarised in the database: two queries whatever the page's size (the
/// page's services, then their replica counts by status and market), no spec text and no replica rows loaded. Costs need
/// each replica's own hours, so they are in a service's detail and in the fleet summary (<see cref="FleetSummary"/>).
/// </summary>
internal static class ServiceListPage
{
    /// <param name="after">The name the page starts after (null: from the first).</param>
    /// <returns>The page, and whether services follow it.</returns>
    public static async Task<(IReadOnlyList<ServiceSummaryView> Items, bool More)> ReadAsync(ControllerDb db, string? after, int limit,
        CancellationToken ct)
    {
        var query = db.Services.AsNoTracking();
        if (after is not null)
            query = query.Where(s => s.Name.CompareTo(after) > 0);
        // One row past the page tells whether another page follows, without a count over the whole table.
        var rows = await query.OrderBy(s => s.Name).Take(limit + 1)
            .Select(s => new { s.Id, s.Name, s.Status, s.CurrentVersion, s.Endpoint, s.CreatedAt, s.UpdatedAt })
            .ToListAsync(ct);
        var more = rows.Count > limit;
        if (more)
            rows.RemoveAt(limit);
        if (rows.Count == 0)
            return ([], false);

        var ids = rows.Select(r => r.Id).ToList();
        var counts = (await db.Replicas.AsNoTracking()
            .Where(r => ids.Contains(r.ServiceId))
            .GroupBy(r => new { r.ServiceId, r.Status, r.IsSpot })
            .Select(g => new { g.Key.ServiceId, g.Key.Status, g.Key.IsSpot, Count = g.Count() })
            .ToListAsync(ct)).ToLookup(c => c.ServiceId);
        return (rows.Select(s =>
        {
            // Which statuses count as live stays Core's word (IsTerminal), so it is applied here rather than in SQL.
            var live = counts[s.Id].Where(c => !c.Status.IsTerminal()).ToList();
            return new ServiceSummaryView(s.Name, s.Status.ToString(), s.CurrentVersion, s.Endpoint,
                live.Where(c => c.Status == ReplicaStatus.READY).Sum(c => c.Count), live.Sum(c => c.Count),
                s.CreatedAt, s.UpdatedAt, live.Where(c => c.IsSpot).Sum(c => c.Count), live.Where(c => !c.IsSpot).Sum(c => c.Count));
        }).ToList(), more);
    }
}
