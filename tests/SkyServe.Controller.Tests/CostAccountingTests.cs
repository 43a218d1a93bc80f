using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Domain;

namespace SkyServe.Controller.Tests;

/// <summary>Cost so far, per hour and the on-demand counterfactual of a set of replicas, by hand.</summary>
public sealed class CostAccountingTests
{
    private static readonly DateTime Now = new(2026, 12, 5, 12, 0, 0, DateTimeKind.Utc);

    private static ReplicaRecord Replica(bool spot, decimal price, string type, ReplicaStatus status, double startedHoursAgo, double? endedHoursAgo,
        string? machine = "m") => new()
    {
        IsSpot = spot, HourlyPrice = price, InstanceType = type, Cloud = "aws", Region = "us-east-1", Status = status,
        InstanceId = endedHoursAgo is null ? machine : null, CreatedAt = Now.AddHours(-startedHoursAgo),
        StatusChangedAt = Now.AddHours(-(endedHoursAgo ?? startedHoursAgo)),
    };

    [Fact]
    public void Spot_hours_are_priced_on_demand_for_the_counterfactual_and_retired_cost_claims_no_saving()
    {
        decimal? OnDemand(string cloud, string region, string? type) => type == "g4dn.xlarge" ? 0.526m : null;
        var figures = CostAccounting.Summarize(
        [
            Replica(true, 0.187m, "g4dn.xlarge", ReplicaStatus.READY, 2, null),          // running 2 h
            Replica(true, 0.187m, "g4dn.xlarge", ReplicaStatus.PREEMPTED, 5, 4),         // 1 h, ended
            Replica(false, 0.526m, "g4dn.xlarge", ReplicaStatus.READY, 1, null),         // on demand, 1 h
            Replica(true, 0.100m, "unknown-type", ReplicaStatus.READY, 3, null),         // no list price: counts at its own
        ], retired: 1.5m, OnDemand, Now);

        Assert.Equal(0.187m * 3 + 0.100m * 3, figures.Spot);
        Assert.Equal(0.526m, figures.OnDemand);
        Assert.Equal(0.187m * 3 + 0.100m * 3 + 0.526m + 1.5m, figures.Total);
        Assert.Equal(0.187m + 0.526m + 0.100m, figures.PerHour);
        Assert.Equal(0.526m * 3 + 0.526m + 0.100m * 3 + 1.5m, figures.OnDemandEquivalent);
        Assert.Equal(0.526m + 0.526m + 0.100m, figures.OnDemandEquivalentPerHour);
        Assert.Equal((0.526m - 0.187m) * 3, figures.Saving);
    }

    [Fact]
    public void Nothing_spent_is_no_saving()
    {
        var figures = CostAccounting.Summarize([], 0, (_, _, _) => null, Now);
        Assert.Equal(0, figures.Total);
        Assert.Equal(0, figures.SavingPercent);
    }
}
