using SkyServe.Controller.Persistence;
using SkyServe.Core.Domain;

namespace SkyServe.Controller.Reconcile;

/// <summary>A replica costs its hourly price from its launch until it ended (or until now), ready or not.</summary>
public static class CostAccounting
{
    public static decimal CostOf(ReplicaRecord replica, DateTime now)
    {
        if (replica.HourlyPrice is not { } price)
            return 0;
        var end = replica.Status.IsTerminal() || replica.InstanceId is null && replica.Status != ReplicaStatus.PENDING
            ? replica.StatusChangedAt
            : now;
        var hours = (decimal)Math.Max(0, (end - replica.CreatedAt).TotalHours);
        return Math.Round(price * hours, 6);
    }
}
