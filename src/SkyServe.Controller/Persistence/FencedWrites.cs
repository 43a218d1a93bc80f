using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage;
using SkyServe.Controller.Reconcile;

namespace SkyServe.Controller.Persistence;

/// <summary>
/// Refuses, in the database, a save of the reconcile loop whose lease generation is no longer current. A context with
/// <see cref="ControllerDb.Fence"/> set saves inside a transaction that first reads the lease row — on PostgreSQL
/// <c>FOR SHARE</c>, so a standby's takeover (which updates that row) waits for the save to commit, and every save after
/// the takeover sees the new generation — and rolls back with <see cref="LeaseLostException"/> when it differs.
/// Saves without a fence (the API, notices, load balancers' reports) are facts any controller may record.
/// </summary>
public sealed class FencedWrites : SaveChangesInterceptor
{
    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken ct = default)
    {
        if (eventData.Context is ControllerDb { Fence: { } expected } db)
        {
            if (db.Database.CurrentTransaction is null)
                db.OwnFenceTransaction(await db.Database.BeginTransactionAsync(ct));
            var current = await CurrentGenerationAsync(db, forShare: db.Database.IsNpgsql(), ct);
            if (current != expected)
            {
                await db.EndFenceTransactionAsync(commit: false);
                throw new LeaseLostException(expected, current);
            }
        }
        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        eventData.Context is ControllerDb { Fence: not null }
            ? throw new InvalidOperationException("fenced contexts save asynchronously")
            : result;

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        if (eventData.Context is ControllerDb db)
            await db.EndFenceTransactionAsync(commit: true);
        return result;
    }

    public override async Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken ct = default)
    {
        if (eventData.Context is ControllerDb db)
            await db.EndFenceTransactionAsync(commit: false);
    }

    /// <summary>The lease's generation as the database has it (null before any controller took it).</summary>
    public static async Task<long?> CurrentGenerationAsync(ControllerDb db, bool forShare, CancellationToken ct)
    {
        var rows = forShare
            ? db.Database.SqlQuery<long>($"SELECT generation AS \"Value\" FROM controller_leases WHERE name = {LeaderElection.LeaseName} FOR SHARE")
            : db.Database.SqlQuery<long>($"SELECT generation AS \"Value\" FROM controller_leases WHERE name = {LeaderElection.LeaseName}");
        var found = await rows.ToListAsync(ct);
        return found.Count == 0 ? null : found[0];
    }
}

public abstract partial class ControllerDb
{
    private IDbContextTransaction? fenceTransaction;

    /// <summary>
    /// The reconcile lease generation this unit of work acts under; null for writes that need no lease. Set by the
    /// reconcile loop on the contexts it saves with (<see cref="FencedWrites"/>).
    /// </summary>
    public long? Fence { get; set; }

    internal void OwnFenceTransaction(IDbContextTransaction transaction) => fenceTransaction = transaction;

    internal async Task EndFenceTransactionAsync(bool commit)
    {
        if (fenceTransaction is not { } transaction)
            return;
        fenceTransaction = null;
        try
        {
            if (commit)
                await transaction.CommitAsync();
            else
                await transaction.RollbackAsync();
        }
        finally
        {
            await transaction.DisposeAsync();
        }
    }
}
