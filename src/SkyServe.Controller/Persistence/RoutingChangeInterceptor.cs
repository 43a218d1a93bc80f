using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SkyServe.Controller.Routing;

namespace SkyServe.Controller.Persistence;

/// <summary>Wakes <see cref="RoutingChangeSignal"/> after a save that wrote a replica, a service or a service version.</summary>
public sealed class RoutingChangeInterceptor(RoutingChangeSignal signal) : SaveChangesInterceptor
{
    private static readonly object Marker = new();
    private readonly ConditionalWeakTable<DbContext, object> routingWrites = [];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        Note(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        WakeIfNoted(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        WakeIfNoted(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken ct = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void Note(DbContext? context)
    {
        if (context is null)
            return;
        var touchesRoutes = context.ChangeTracker.Entries().Any(e =>
            e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted &&
            e.Entity is ReplicaRecord or ServiceRecord or ServiceVersionRecord);
        if (touchesRoutes)
            routingWrites.AddOrUpdate(context, Marker);
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
            routingWrites.Remove(context);
    }

    private void WakeIfNoted(DbContext? context)
    {
        if (context is not null && routingWrites.Remove(context))
            signal.Wake();
    }
}
