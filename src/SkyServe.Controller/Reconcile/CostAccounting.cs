using SkyServe.Controller.Persistence;
using SkyServe.Core.Domain;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// A replica costs its hourly price from its launch until it ended (or until now), ready or not — once per machine: a
/// multi-node replica pays for every node (<see cref="ReplicaRecord.HourlyPrice"/> is one machine's).
/// </summary>
public static class CostAccounting
{
    public static decimal CostOf(ReplicaRecord replica, DateTime now) =>
        replica.HourlyPrice is { } price ? Math.Round(price * replica.NodeCount * HoursOf(replica, now), 6) : 0;

    /// <summary>The hours a replica has been paid for: from its launch until it ended, or until now.</summary>
    public static decimal HoursOf(ReplicaRecord replica, DateTime now)
    {
        var end = IsRunning(replica) ? now : replica.StatusChangedAt;
        return (decimal)Math.Max(0, (end - replica.CreatedAt).TotalHours);
    }

    /// <summary>Whether its machine is still paid for by the hour (its cost still grows).</summary>
    public static bool IsRunning(ReplicaRecord replica) =>
        !(replica.Status.IsTerminal() || replica.InstanceId is null && replica.Status != ReplicaStatus.PENDING);

    /// <summary>
    /// Cost so far, cost per hour now, and the on-demand counterfactual of a set of replicas: the same replica-hours at
    /// the on-demand price of the same instance type and region (<paramref name="onDemandPrice"/>: cloud, region, type).
    /// A replica whose type has no known on-demand price counts at its own price. <paramref name="retired"/> (replicas whose
    /// rows are gone) counts in both the total and the counterfactual, so no saving is claimed for it.
    /// </summary>
    public static CostFigures Summarize(IEnumerable<ReplicaRecord> replicas, decimal retired,
        Func<string, string, string?, decimal?> onDemandPrice, DateTime now)
    {
        decimal spot = 0, onDemand = 0, perHour = 0, counterfactual = retired, counterfactualPerHour = 0;
        foreach (var r in replicas)
        {
            if (r.HourlyPrice is not { } machinePrice)
                continue;
            var price = machinePrice * r.NodeCount;
            var hours = HoursOf(r, now);
            var cost = Math.Round(price * hours, 6);
            var listPrice = r.IsSpot ? onDemandPrice(r.Cloud, r.Region, r.InstanceType) * r.NodeCount ?? price : price;
            if (r.IsSpot)
                spot += cost;
            else
                onDemand += cost;
            counterfactual += Math.Round(listPrice * hours, 6);
            if (IsRunning(r))
            {
                perHour += price;
                counterfactualPerHour += listPrice;
            }
        }
        return new CostFigures(spot, onDemand, spot + onDemand + retired, perHour, counterfactual, counterfactualPerHour);
    }
}

/// <summary>Dollars: spent on spot and on-demand replicas, in all (retired replicas included), and what the same hours would have cost on demand.</summary>
public sealed record CostFigures(decimal Spot, decimal OnDemand, decimal Total, decimal PerHour, decimal OnDemandEquivalent,
    decimal OnDemandEquivalentPerHour)
{
    public decimal Saving => OnDemandEquivalent - Total;

    /// <summary>The saving as a share of the on-demand counterfactual, in percent (0 when nothing was spent).</summary>
    public decimal SavingPercent => OnDemandEquivalent > 0 ? Math.Round(100 * Saving / OnDemandEquivalent, 2) : 0;
}
