using System.Data.Common;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SkyServe.Controller.Routing;

namespace SkyServe.Controller.Persistence;

/// <summary>
/// After a save that wrote replicas, services or service versions in a way that may change routes
/// (<see cref="RouteRows.Affects"/>): marks those services in <see cref="RoutingChangeSignal"/> and, on PostgreSQL,
/// notifies the other controllers (<see cref="RouteNotifications"/>). Inside a transaction of the caller's, this
/// controller's mark waits for the commit, as the notice does, so the table never reads before the rows are there.
/// Bulk statements (ExecuteUpdate/ExecuteDelete) bypass it: none touches these tables; the full recompute would catch one.
/// </summary>
public sealed partial class RoutingChangeInterceptor(RoutingChangeSignal signal, ILogger<RoutingChangeInterceptor> log)
    : SaveChangesInterceptor, IDbTransactionInterceptor
{
    // The written entities, taken before the save: added rows get their ids only during it, deleted ones are detached after it.
    private readonly ConditionalWeakTable<DbContext, List<object>> saving = [];
    // Services written inside a transaction that has not committed yet.
    private readonly ConditionalWeakTable<DbContext, HashSet<long>> uncommitted = [];

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
        if (Saved(eventData.Context) is { } saved)
        {
            try
            {
                RouteNotifications.Send(saved.Context, saved.Services);
            }
            catch (Exception e)
            {
                NotifyFailed(log, DatabaseFailures.Cause(e));
            }
        }
        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        if (Saved(eventData.Context) is { } saved)
        {
            try
            {
                // Not the caller's token: the rows are saved, and a notice cut short would only delay the other controllers.
                await RouteNotifications.SendAsync(saved.Context, saved.Services, CancellationToken.None);
            }
            catch (Exception e)
            {
                NotifyFailed(log, DatabaseFailures.Cause(e));
            }
        }
        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken ct = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Committed(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        Committed(eventData.Context);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => RolledBack(eventData.Context);

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        RolledBack(eventData.Context);
        return Task.CompletedTask;
    }

    private void Note(DbContext? context)
    {
        if (context is null)
            return;
        var written = context.ChangeTracker.Entries().Where(RouteRows.Affects).Select(e => e.Entity).ToList();
        if (written.Count > 0)
            saving.AddOrUpdate(context, written);
        else
            saving.Remove(context); // whatever a cancelled save of this context left
    }

    private void Forget(DbContext? context)
    {
        if (context is not null)
            saving.Remove(context);
    }

    /// <summary>The services the save wrote; marked now, or at the commit when a transaction of the caller's is open.</summary>
    private (DbContext Context, IReadOnlyCollection<long> Services)? Saved(DbContext? context)
    {
        if (context is null || !saving.TryGetValue(context, out var written))
            return null;
        saving.Remove(context);
        var services = written.Select(ServiceOf).ToHashSet();
        if (context.Database.CurrentTransaction is null)
            signal.Changed(services);
        else
            uncommitted.GetOrCreateValue(context).UnionWith(services);
        return (context, services);
    }

    private void Committed(DbContext? context)
    {
        if (context is not null && uncommitted.TryGetValue(context, out var services))
        {
            uncommitted.Remove(context);
            signal.Changed(services);
        }
    }

    private void RolledBack(DbContext? context)
    {
        if (context is not null)
            uncommitted.Remove(context);
    }

    private static long ServiceOf(object entity) => entity switch
    {
        ReplicaRecord r => r.ServiceId,
        ServiceRecord s => s.Id,
        ServiceVersionRecord v => v.ServiceId,
        _ => throw new UnreachableException(),
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not notify the other controllers of a routing change ({Cause}); they see it at their next full recompute")]
    private static partial void NotifyFailed(ILogger log, string cause);
}
