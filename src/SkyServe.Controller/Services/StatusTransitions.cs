using SkyServe.Controller.Persistence;
using SkyServe.Core.Domain;

namespace SkyServe.Controller.Services;

/// <summary>
/// The one place where statuses change, so that every transition is recorded as an event.
/// Rows must already be saved (their ids are in the event).
/// </summary>
public static class StatusTransitions
{
    public static void SetStatus(this ControllerDb db, ServiceRecord service, ServiceStatus status, string reason, DateTime now)
    {
        if (service.Status == status)
            return;
        db.AddEvent(service.Id, null, service.Status.ToString(), status.ToString(), reason, now);
        service.Status = status;
        service.UpdatedAt = now;
    }

    public static void SetStatus(this ControllerDb db, ReplicaRecord replica, ReplicaStatus status, string reason, DateTime now)
    {
        if (replica.Status == status)
            return;
        db.AddEvent(replica.ServiceId, replica.ReplicaId, replica.Status.ToString(), status.ToString(), reason, now);
        replica.Status = status;
        replica.StatusChangedAt = now;
        if (status == ReplicaStatus.READY)
            replica.ReadyAt ??= now;
    }

    /// <summary>The first event of a row: how it came to be.</summary>
    public static void RecordCreated(this ControllerDb db, ServiceRecord service, string reason) =>
        db.AddEvent(service.Id, null, null, service.Status.ToString(), reason, service.CreatedAt);

    public static void RecordCreated(this ControllerDb db, ReplicaRecord replica, string reason) =>
        db.AddEvent(replica.ServiceId, replica.ReplicaId, null, replica.Status.ToString(), reason, replica.CreatedAt);

    /// <summary>The last event of a replica whose row is removed.</summary>
    public static void RecordDeleted(this ControllerDb db, ReplicaRecord replica, string reason, DateTime now) =>
        db.AddEvent(replica.ServiceId, replica.ReplicaId, replica.Status.ToString(), Deleted, reason, now);

    /// <summary>Not a status a row has: the event that ends a replica's history.</summary>
    public const string Deleted = "DELETED";

    /// <summary>A note about a replica that is not a status change.</summary>
    public static void AddNote(this ControllerDb db, ReplicaRecord replica, string reason, DateTime now) =>
        db.AddEvent(replica.ServiceId, replica.ReplicaId, replica.Status.ToString(), replica.Status.ToString(), reason, now);

    /// <summary>A note about the service that is not a status change (a new version, say).</summary>
    public static void Note(this ControllerDb db, ServiceRecord service, string reason, DateTime now) =>
        db.AddEvent(service.Id, null, service.Status.ToString(), service.Status.ToString(), reason, now);

    private static void AddEvent(this ControllerDb db, long serviceId, int? replicaId, string? from, string to, string reason, DateTime at) =>
        db.ServiceEvents.Add(new ServiceEventRecord
        {
            ServiceId = serviceId, ReplicaId = replicaId, At = at, FromStatus = from, ToStatus = to, Reason = reason,
        });
}
