using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Domain;

namespace SkyServe.Controller.Api;

/// <summary>
/// <c>GET /api/v1/summary</c>: the fleet's replicas by market and its cost, in all and per service, in two queries whatever
/// its size, besides the grouped request rates (the services' names and retired costs, then the few columns of every replica that counts and costs need:
/// a replica's cost is its price times its own hours, computed on read as <see cref="CostAccounting"/> does).
/// </summary>
internal static class FleetSummary
{
    /// <summary>Says where the counterfactual's prices come from.</summary>
    public const string PricesFrom =
        "on-demand list prices of the same instance type and region from the provider's offerings (config/catalog: see each file's Compiled date and sources)";

    /// <param name="rates">Requests per second by service id (<see cref="RequestRates.RequestsPerSecondByServiceAsync"/>).</param>
    public static async Task<FleetSummaryView> ReadAsync(ControllerDb db, Func<string, string, string?, decimal?> onDemandPrice,
        IReadOnlyDictionary<long, double> rates, DateTime now, CancellationToken ct)
    {
        var services = await db.Services.AsNoTracking().OrderBy(s => s.Name).Select(s => new { s.Id, s.Name, s.RetiredCost }).ToListAsync(ct);
        var replicas = await SlimReplicas(db.Replicas).ToListAsync(ct);
        var byService = replicas.ToLookup(r => r.ServiceId);
        var counts = Counts.Of(replicas);
        return new FleetSummaryView(services.Count, counts.Live, counts.Ready, counts.Spot, counts.OnDemand,
            CostView.From(CostAccounting.Summarize(replicas, services.Sum(s => s.RetiredCost), onDemandPrice, now)),
            services.Select(s =>
            {
                var of = byService[s.Id].ToList();
                var c = Counts.Of(of);
                return new ServiceCostView(s.Name, c.Live, c.Ready, c.Spot, c.OnDemand,
                    CostView.From(CostAccounting.Summarize(of, s.RetiredCost, onDemandPrice, now)), Math.Round(rates.GetValueOrDefault(s.Id), 3));
            }).ToList(),
            PricesFrom, now);
    }

    /// <summary>Only the columns counts and costs read (no spec, endpoint or tokens; the worker nodes, since each costs).</summary>
    public static IQueryable<ReplicaRecord> SlimReplicas(IQueryable<ReplicaRecord> replicas) => replicas.AsNoTracking()
        .Select(r => new ReplicaRecord
        {
            ServiceId = r.ServiceId, Status = r.Status, IsSpot = r.IsSpot, Cloud = r.Cloud, Region = r.Region, InstanceType = r.InstanceType,
            InstanceId = r.InstanceId, HourlyPrice = r.HourlyPrice, CreatedAt = r.CreatedAt, StatusChangedAt = r.StatusChangedAt,
            WorkerNodes = r.WorkerNodes,
        });

    private readonly record struct Counts(int Ready, int Live, int Spot, int OnDemand)
    {
        // Which statuses count as live stays Core's word (IsTerminal).
        public static Counts Of(IReadOnlyCollection<ReplicaRecord> replicas) => new(
            replicas.Count(r => r.Status == ReplicaStatus.READY),
            replicas.Count(r => !r.Status.IsTerminal()),
            replicas.Count(r => r.IsSpot && !r.Status.IsTerminal()),
            replicas.Count(r => !r.IsSpot && !r.Status.IsTerminal()));
    }
}
