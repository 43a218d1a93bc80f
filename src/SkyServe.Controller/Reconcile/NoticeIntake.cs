using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Metrics;
using SkyServe.Controller.Persistence;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// Takes a notice for a machine, from the provider's event stream or straight from the replica's agent, and
/// acts on it through <see cref="NoticeHandling"/>: out of rotation, location PREEMPTED, deadline stored, a
/// reconcile pass woken to launch the replacement. A save that races the reconcile loop is retried on fresh rows.
/// </summary>
public sealed class NoticeIntake(IServiceScopeFactory scopes, ReconcileSignal signal, LocationStates locations, ControllerMetrics metrics,
    ILogger<NoticeIntake> log)
{
    private const int Attempts = 5;

    /// <summary>
    /// A notice for the replica on machine <paramref name="machineId"/> (the provider's id): its head's, or one of its
    /// workers' — losing any node loses a multi-node replica, so a worker's notice takes the whole replica out.
    /// </summary>
    public Task<NoticeOutcome> ApplyAsync(string machineId, DateTimeOffset deadline, DateTimeOffset receivedAt, string source, CancellationToken ct) =>
        ApplyWhereAsync(db => ReplicaOfMachineAsync(db, machineId, ct), deadline, receivedAt, source, ct);

    /// <summary>A notice for the replica launched with <paramref name="launchToken"/>.</summary>
    public Task<NoticeOutcome> ApplyAsync(Guid launchToken, DateTimeOffset deadline, DateTimeOffset receivedAt, string source, CancellationToken ct) =>
        ApplyWhereAsync(db => db.Replicas.SingleOrDefaultAsync(r => r.LaunchToken == launchToken, ct), deadline, receivedAt, source, ct);

    /// <summary>The replica whose head or worker runs on <paramref name="machineId"/>, if any (workers are in a JSON column: matched here).</summary>
    public static async Task<ReplicaRecord?> ReplicaOfMachineAsync(ControllerDb db, string machineId, CancellationToken ct) =>
        await db.Replicas.SingleOrDefaultAsync(r => r.InstanceId == machineId, ct)
        ?? (await db.Replicas.Where(r => r.WorkerNodes != null).ToListAsync(ct)).FirstOrDefault(r => r.HasMachine(machineId));

    private async Task<NoticeOutcome> ApplyWhereAsync(Func<ControllerDb, Task<ReplicaRecord?>> which, DateTimeOffset deadline, DateTimeOffset receivedAt,
        string source, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
            var replica = await which(db);
            if (replica is null)
                return NoticeOutcome.UnknownMachine;
            if (!await NoticeHandling.ApplyAsync(db, locations, replica, deadline, receivedAt, source, ct))
                return NoticeOutcome.AlreadyKnown;
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException) when (attempt < Attempts)
            {
                continue; // the reconcile loop saved the row meanwhile: look again
            }
            metrics.Notice(replica.Cloud, source == "cloud event" ? "provider" : "agent");
            log.NoticeApplied(replica.ReplicaId, replica.ServiceId, deadline, source);
            signal.Wake(replica.ServiceId);
            return NoticeOutcome.Applied;
        }
    }
}

public enum NoticeOutcome
{
    /// <summary>The replica left rotation and its replacement is on its way.</summary>
    Applied,
    /// <summary>An earlier notice (or the replica's end) got there first: nothing changed.</summary>
    AlreadyKnown,
    /// <summary>No replica runs on that machine.</summary>
    UnknownMachine,
}

internal static partial class NoticeIntakeLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "replica {Replica} of service {Service} got an interruption notice for {Deadline} ({Source})")]
    public static partial void NoticeApplied(this ILogger logger, int replica, long service, DateTimeOffset deadline, string source);
}
