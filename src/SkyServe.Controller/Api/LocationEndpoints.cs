using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Cloud;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Services;

namespace SkyServe.Controller.Api;

/// <summary>
/// <c>GET /api/v1/services/{name}/locations</c>: every cloud / region / zone the service's placer may use, with its state
/// for the placer (ACTIVE or PREEMPTED), its preemptions, and the spot price there of the instance type the service's
/// replicas run (the latest one launched).
/// </summary>
public static class LocationEndpoints
{
    public static void MapLocations(this RouteGroupBuilder api) =>
        api.MapGet("/services/{name}/locations", ReadAsync)
            .WithSummary("The locations the service's spot placer may use: state (ACTIVE / PREEMPTED), preemptions, last preemption, spot price.");

    private static async Task<IResult> ReadAsync(string name, ServiceStore store, ControllerDb db, OnDemandPrices prices, CancellationToken ct)
    {
        var service = await store.FindAsync(name, ct);
        var locations = await db.LocationStates.AsNoTracking().Where(l => l.ServiceId == service.Id)
            .OrderBy(l => l.Cloud).ThenBy(l => l.Region).ThenBy(l => l.Zone).ToListAsync(ct);
        var instanceType = await db.Replicas.AsNoTracking().Where(r => r.ServiceId == service.Id && r.InstanceType != null)
            .OrderByDescending(r => r.ReplicaId).Select(r => r.InstanceType).FirstOrDefaultAsync(ct);
        var spot = await prices.SpotLookupAsync(ct);
        return Results.Ok(locations.Select(l => new LocationView(l.Cloud, l.Region, l.Zone, l.State, l.Preemptions, l.LastPreemptedAt,
            l.UpdatedAt, instanceType, spot(l.Cloud, l.Region, l.Zone, instanceType))));
    }
}

/// <param name="InstanceType">The instance type <paramref name="SpotPricePerHour"/> is for.</param>
public sealed record LocationView(string Cloud, string Region, string Zone, string State, int Preemptions, DateTime? LastPreemptedAt,
    DateTime UpdatedAt, string? InstanceType, decimal? SpotPricePerHour);
