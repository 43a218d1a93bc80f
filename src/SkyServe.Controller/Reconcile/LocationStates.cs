using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Policies;

namespace SkyServe.Controller.Reconcile;

/// <summary>Loads and stores a service's SpotHedge location states; the transitions themselves are the pure <see cref="SpotHedge"/> ones.</summary>
public sealed class LocationStates(TimeProvider time)
{
    public async Task<IReadOnlyList<LocationState>> LoadAsync(ControllerDb db, long serviceId, CancellationToken ct) =>
        (await Rows(db, serviceId).ToListAsync(ct)).Select(ToState).ToList();

    public Task PreemptedAsync(ControllerDb db, long serviceId, Location location, IReadOnlyCollection<Location> candidates, DateTime now, CancellationToken ct) =>
        ApplyAsync(db, serviceId, states => SpotHedge.OnPreempted(states, candidates, location, Offset(now)), ct);

    public Task LaunchFailedAsync(ControllerDb db, long serviceId, Location location, IReadOnlyCollection<Location> candidates, CancellationToken ct) =>
        ApplyAsync(db, serviceId, states => SpotHedge.OnLaunchFailed(states, candidates, location), ct);

    public Task LaunchedAsync(ControllerDb db, long serviceId, Location location, IReadOnlyCollection<Location> candidates, CancellationToken ct) =>
        ApplyAsync(db, serviceId, states => SpotHedge.OnLaunched(states, candidates, location), ct);

    private async Task ApplyAsync(ControllerDb db, long serviceId, Func<IReadOnlyList<LocationState>, IReadOnlyList<LocationState>> transition, CancellationToken ct)
    {
        var rows = await Rows(db, serviceId).ToListAsync(ct);
        // Rows added earlier in this unit of work are not in the database yet.
        rows.AddRange(db.ChangeTracker.Entries<LocationStateRecord>()
            .Where(e => e.State == EntityState.Added && e.Entity.ServiceId == serviceId).Select(e => e.Entity));
        var next = transition(rows.Select(ToState).ToList());
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var state in next)
        {
            var row = rows.FirstOrDefault(r => r.Cloud == state.Location.Cloud && r.Region == state.Location.Region && r.Zone == state.Location.Zone);
            if (row is null)
            {
                row = new LocationStateRecord { ServiceId = serviceId, Cloud = state.Location.Cloud, Region = state.Location.Region, Zone = state.Location.Zone, State = "" };
                db.LocationStates.Add(row);
                rows.Add(row);
            }
            var status = state.Status.ToString().ToUpperInvariant();
            if (row.State == status && row.Preemptions == state.Preemptions)
                continue;
            row.State = status;
            row.Preemptions = state.Preemptions;
            row.LastPreemptedAt = state.LastPreemptedAt?.UtcDateTime;
            row.UpdatedAt = now;
        }
    }

    private static IQueryable<LocationStateRecord> Rows(ControllerDb db, long serviceId) => db.LocationStates.Where(l => l.ServiceId == serviceId);

    private static LocationState ToState(LocationStateRecord r) => new(
        new Location(r.Cloud, r.Region, r.Zone),
        r.State == "PREEMPTED" ? LocationStatus.Preempted : LocationStatus.Active,
        r.Preemptions,
        r.LastPreemptedAt is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : null);

    private static DateTimeOffset Offset(DateTime utc) => new(utc, TimeSpan.Zero);
}
