using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Api;
using SkyServe.Controller.Cloud;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Metrics;

namespace SkyServe.Controller.Metrics;

/// <summary>
/// GET /metrics: the in-memory series of <see cref="ControllerMetrics"/>, and what the shared database holds, read per
/// scrape in three queries whatever the fleet's size: replicas counted by service, state, market and location (grouped
/// in SQL), the services' names and retired costs, and the few columns of every replica that costs need.
/// </summary>
public static class ControllerMetricsPage
{
    public const string Path = "/metrics";

    public static void MapControllerMetrics(this IEndpointRouteBuilder app) =>
        app.MapGet(Path, async (ControllerDb db, ControllerMetrics metrics, ReconcileQueue queue, LeaderElection leader,
                ControllerIdentity identity, OnDemandPrices onDemand, TimeProvider time, CancellationToken ct) =>
                Results.Text(await RenderAsync(db, metrics, queue, leader, identity, await onDemand.LookupAsync(ct), time.GetUtcNow().UtcDateTime, ct),
                    PrometheusText.ContentType))
            .AddEndpointFilter<ApiTokenFilter>() // the API token, or none where anonymous reads are allowed: as for the API's reads
            .ExcludeFromDescription();

    /// <summary>Counts every answered request by route pattern, method and status code (skyserve_controller_api_requests_total).</summary>
    public static void UseRequestCounting(this IApplicationBuilder app)
    {
        var metrics = app.ApplicationServices.GetRequiredService<ControllerMetrics>();
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            finally
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
                metrics.Request(route, context.Request.Method, context.Response.StatusCode);
            }
        });
    }

    public static async Task<string> RenderAsync(ControllerDb db, ControllerMetrics metrics, ReconcileQueue queue, LeaderElection leader,
        ControllerIdentity identity, Func<string, string, string?, decimal?> onDemandPrice, DateTime now, CancellationToken ct)
    {
        var services = await db.Services.AsNoTracking().Select(s => new { s.Id, s.Name, s.RetiredCost }).ToListAsync(ct);
        var names = services.ToDictionary(s => s.Id, s => s.Name);
        var counts = await db.Replicas.AsNoTracking()
            .GroupBy(r => new { r.ServiceId, r.Status, r.IsSpot, r.Cloud, r.Region, r.Zone })
            .Select(g => new { g.Key.ServiceId, g.Key.Status, g.Key.IsSpot, g.Key.Cloud, g.Key.Region, g.Key.Zone, Count = g.Count() })
            .ToListAsync(ct);
        var replicas = (await FleetSummary.SlimReplicas(db.Replicas).ToListAsync(ct)).ToLookup(r => r.ServiceId);

        var text = new PrometheusText();
        text.Family("skyserve_controller_replicas", "gauge", "Replicas by service, state, market and location (finished ones until their rows are retired).");
        foreach (var c in counts.Where(c => names.ContainsKey(c.ServiceId))
                     .OrderBy(c => names[c.ServiceId], StringComparer.Ordinal).ThenBy(c => c.Status.ToString()).ThenBy(c => c.IsSpot)
                     .ThenBy(c => c.Cloud).ThenBy(c => c.Region).ThenBy(c => c.Zone))
            text.Sample("skyserve_controller_replicas", c.Count, ("service", names[c.ServiceId]), ("state", c.Status.ToString()),
                ("market", ControllerMetrics.Market(c.IsSpot)), ("cloud", c.Cloud), ("region", c.Region), ("zone", c.Zone));

        var costs = services.OrderBy(s => s.Name, StringComparer.Ordinal)
            .Select(s => (s.Name, Figures: CostAccounting.Summarize(replicas[s.Id], s.RetiredCost, onDemandPrice, now))).ToList();
        Cost(text, costs, "skyserve_controller_cost_dollars_total", "counter",
            "Dollars spent so far on the service's replicas, by market (retired: replicas whose rows are gone).",
            f => [("spot", f.Spot), ("on_demand", f.OnDemand), ("retired", f.Total - f.Spot - f.OnDemand)]);
        Cost(text, costs, "skyserve_controller_on_demand_equivalent_dollars_total", "counter",
            "The counterfactual: the same replica-hours at the on-demand price of the same instance type and region.",
            f => [(null, f.OnDemandEquivalent)]);
        Cost(text, costs, "skyserve_controller_cost_per_hour_dollars", "gauge", "Dollars per hour the service's running replicas cost now.",
            f => [(null, f.PerHour)]);
        Cost(text, costs, "skyserve_controller_on_demand_equivalent_per_hour_dollars", "gauge",
            "Dollars per hour the running replicas would cost on demand.", f => [(null, f.OnDemandEquivalentPerHour)]);

        metrics.WriteTo(text);
        text.Family("skyserve_controller_reconcile_queue_depth", "gauge", "Services waiting in this controller's reconcile queue.");
        text.Sample("skyserve_controller_reconcile_queue_depth", queue.Depth);
        text.Family("skyserve_controller_leader", "gauge", "1 while this controller holds the reconcile lease, else 0.");
        text.Sample("skyserve_controller_leader", leader.HoldsLock ? 1 : 0, ("controller", identity.Id));
        text.Family("skyserve_controller_lease_generation", "gauge", "The fencing generation of the lease this controller last held (0: never).");
        text.Sample("skyserve_controller_lease_generation", leader.Generation, ("controller", identity.Id));
        return text.ToString();
    }

    private static void Cost(PrometheusText text, List<(string Name, CostFigures Figures)> costs, string name, string type, string help,
        Func<CostFigures, (string? Market, decimal Value)[]> values)
    {
        text.Family(name, type, help);
        foreach (var (service, figures) in costs)
            foreach (var (market, value) in values(figures))
                if (market is null)
                    text.Sample(name, (double)value, ("service", service));
                else
                    text.Sample(name, (double)value, ("service", service), ("market", market));
    }
}
