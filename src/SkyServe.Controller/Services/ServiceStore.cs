using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Domain;
using SkyServe.Core.Spec;
using SkyServe.Providers;

namespace SkyServe.Controller.Services;

/// <summary>What the API does to services: every write is one transaction that also records its events.</summary>
public sealed class ServiceStore(
    ControllerDb db, TimeProvider time, Reconcile.ReconcileSignal signal, Reconcile.MachineTerminations terminations, ICloudProvider provider,
    EndpointPorts endpointPorts, ILogger<ServiceStore> log)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public Task<ServiceRecord> CreateAsync(string? requestedName, string specText, CancellationToken ct) =>
        CreateAsync(requestedName, SpecSubmission.Of(specText), ct);

    public async Task<ServiceRecord> CreateAsync(string? requestedName, SpecSubmission submission, CancellationToken ct)
    {
        var spec = ServiceSpecParser.Parse(submission.SpecText, submission.Inputs);
        await UploadCheck.RequireAsync(db, spec, submission.Uploads, ct);
        var name = string.IsNullOrWhiteSpace(requestedName) ? spec.Name ?? ServiceNames.Generate() : requestedName.Trim();
        ServiceNames.Validate(name);
        var conflict = $"service '{name}' already exists; use update to change it";
        for (var attempt = 1; ; attempt++)
        {
            if (await db.Services.AnyAsync(s => s.Name == name, ct))
                throw new ServiceConflictException(conflict);
            try
            {
                return await CreateOnceAsync(name, submission, spec, ct);
            }
            catch (ServiceConflictException) when (attempt < 5)
            {
                // Another controller took the name (the next check says so) or the same endpoint port (try the next free one).
                db.ChangeTracker.Clear();
            }
        }
    }

    private async Task<ServiceRecord> CreateOnceAsync(string name, SpecSubmission submission, ServiceSpec spec, CancellationToken ct)
    {
        var now = Now;
        var service = new ServiceRecord
        {
            Name = name, Status = ServiceStatus.CONTROLLER_INIT, CurrentVersion = 1, CreatedAt = now, UpdatedAt = now,
            EndpointPort = await endpointPorts.FreeAsync(db, ct),
        };
        service.Versions.Add(ServiceVersionFactory.Create(0, 1, UpdateMode.Rolling, submission, spec, now));
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Services.Add(service);
        await SaveOrConflictAsync($"service '{name}' already exists; use update to change it", ct);
        db.RecordCreated(service, "service created with version 1");
        foreach (var note in FileMountNotes.For(spec, 1))
            db.Note(service, note, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        signal.Wake(service.Id);
        return service;
    }

    public Task<ServiceRecord> UpdateAsync(string name, string specText, UpdateMode mode, CancellationToken ct) =>
        UpdateAsync(name, SpecSubmission.Of(specText), mode, ct);

    public Task<ServiceRecord> UpdateAsync(string name, SpecSubmission submission, UpdateMode mode, CancellationToken ct) =>
        RetryOnConflictAsync(() => UpdateOnceAsync(name, submission, mode, ct), $"service '{name}' was changed concurrently; retry the update");

    private async Task<ServiceRecord> UpdateOnceAsync(string name, SpecSubmission submission, UpdateMode mode, CancellationToken ct)
    {
        // The name in the request wins over the spec's `name:`, as with `up -n` and SkyPilot's `sky serve update`.
        var spec = ServiceSpecParser.Parse(submission.SpecText, submission.Inputs);
        await UploadCheck.RequireAsync(db, spec, submission.Uploads, ct);
        var service = await FindAsync(name, ct);
        if (service.Status == ServiceStatus.SHUTTING_DOWN)
            throw new ServiceConflictException($"service '{name}' is shutting down and cannot be updated");

        var now = Now;
        var previous = await db.ServiceVersions.SingleAsync(v => v.ServiceId == service.Id && v.Version == service.CurrentVersion, ct);
        var version = service.CurrentVersion + 1;
        db.ServiceVersions.Add(ServiceVersionFactory.Create(service.Id, version, mode, submission, spec, now));
        service.CurrentVersion = version;
        service.UpdatedAt = now;
        db.Note(service, $"version {version} submitted ({mode.ToWire()} update)", now);
        foreach (var note in FileMountNotes.For(spec, version))
            db.Note(service, note, now);
        // A previous version stored under older rules may no longer parse: then its replicas are replaced, not relabelled.
        if (previous.Uploads == SpecUploads.Format(submission.Uploads)
            && ServiceSpecParser.TryParse(previous.SpecText, SpecSubmission.ParseInputs(previous.Inputs)).Spec is { } before
            && spec.ServiceSectionOnlyDiffers(before))
        {
            // Only service: changed (probe, scaling, balancing): the machines are still right, so relabel them.
            var replicas = await db.Replicas.Where(r => r.ServiceId == service.Id && r.Version == previous.Version).ToListAsync(ct);
            foreach (var replica in replicas.Where(r => !r.Status.IsTerminal()))
            {
                replica.Version = version;
                db.AddNote(replica, $"relabelled to version {version}: only the service section changed", now);
            }
            // The relabelled replicas keep serving: their new version serves wherever the old one did, from this write on.
            if (ServingVersionsColumn.Parse(service.ServingVersions) is { } serving && serving.Contains(previous.Version))
                service.ServingVersions = ServingVersionsColumn.Format(serving.Where(v => v != previous.Version).Append(version));
        }
        await SaveOrConflictAsync($"service '{name}' was changed concurrently; retry the update", ct);
        signal.Wake(service.Id);
        return service;
    }

    /// <summary>
    /// Without purge, a service with live replicas goes to SHUTTING_DOWN and the reconcile loop removes
    /// it once its machines are gone; one without live replicas goes at once. Purge removes the
    /// records now, whatever state they are in, and terminates their machines at once (in the background; a machine
    /// whose launch was still in flight, or whose termination fails, is garbage-collected by tag).
    /// </summary>
    public Task<bool> DeleteAsync(string name, bool purge, CancellationToken ct) =>
        RetryOnConflictAsync(() => DeleteOnceAsync(name, purge, ct), $"service '{name}' was changed concurrently; retry");

    private async Task<bool> DeleteOnceAsync(string name, bool purge, CancellationToken ct)
    {
        var service = await FindAsync(name, ct);
        var live = await db.Replicas.Where(r => r.ServiceId == service.Id).ToListAsync(ct);
        live.RemoveAll(r => r.Status.IsTerminal());
        if (purge || live.Count == 0)
        {
            db.Services.Remove(service);
            await SaveOrConflictAsync($"service '{name}' was changed concurrently; retry", ct);
            foreach (var replica in live.Where(r => r.MachineIds.Count > 0))
                TerminatePurged(name, replica.Id, replica.MachineIds);
            return true;
        }
        var now = Now;
        db.SetStatus(service, ServiceStatus.SHUTTING_DOWN, "teardown requested", now);
        foreach (var replica in live)
            db.SetStatus(replica, ReplicaStatus.SHUTTING_DOWN, "service teardown", now);
        await SaveOrConflictAsync($"service '{name}' was changed concurrently; retry", ct);
        signal.Wake(service.Id);
        return false;
    }

    /// <summary>Terminates every machine of a purged replica (each of a multi-node one's nodes), at once.</summary>
    private void TerminatePurged(string service, long rowId, IReadOnlyList<string> machines) => terminations.Start(rowId, () =>
        Task.WhenAll(machines.Select(async machine =>
        {
            try
            {
                await provider.TerminateAsync(machine, CancellationToken.None);
                log.PurgedMachineTerminated(machine, service);
            }
            catch (Exception e) // a background task: nobody else would see the failure
            {
                log.PurgedMachineTerminationFailed(machine, service, e.Message);
            }
        })));

    public Task<ReplicaRecord> TerminateReplicaAsync(string name, int replicaId, CancellationToken ct) =>
        RetryOnConflictAsync(() => TerminateReplicaOnceAsync(name, replicaId, ct), $"replica {replicaId} was changed concurrently; retry");

    private async Task<ReplicaRecord> TerminateReplicaOnceAsync(string name, int replicaId, CancellationToken ct)
    {
        var service = await FindAsync(name, ct);
        var replica = await db.Replicas.SingleOrDefaultAsync(r => r.ServiceId == service.Id && r.ReplicaId == replicaId, ct)
            ?? throw new ReplicaNotFoundException(name, replicaId);
        if (replica.Status.IsTerminal() || replica.Status == ReplicaStatus.SHUTTING_DOWN)
            return replica;
        db.SetStatus(replica, ReplicaStatus.SHUTTING_DOWN, "terminated by user", Now);
        await SaveOrConflictAsync($"replica {replicaId} was changed concurrently; retry", ct);
        signal.Wake(service.Id);
        return replica;
    }

    public async Task<ServiceRecord> FindAsync(string name, CancellationToken ct) =>
        await db.Services.SingleOrDefaultAsync(s => s.Name == name, ct) ?? throw new ServiceNotFoundException(name);

    private async Task SaveOrConflictAsync(string conflictMessage, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e is not DbUpdateConcurrencyException && IsUniqueViolation(e))
        {
            throw new ServiceConflictException(conflictMessage);
        }
    }

    /// <summary>
    /// The reconcile loop writes the same rows (statuses, replica counters) all the time: a user's write that
    /// lost such a race is simply redone on fresh rows, and only a persistent conflict reaches the user as 409.
    /// </summary>
    private async Task<T> RetryOnConflictAsync<T>(Func<Task<T>> operation, string conflictMessage)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await operation();
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                db.ChangeTracker.Clear();
            }
            catch (DbUpdateConcurrencyException)
            {
                throw new ServiceConflictException(conflictMessage);
            }
        }
    }

    private static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        Npgsql.PostgresException pg => pg.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        Microsoft.Data.Sqlite.SqliteException lite => lite.SqliteExtendedErrorCode == 2067, // SQLITE_CONSTRAINT_UNIQUE
        _ => false,
    };
}

internal static partial class ServiceStoreLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "terminated machine {Machine} of purged service {Service}")]
    public static partial void PurgedMachineTerminated(this ILogger logger, string machine, string service);

    [LoggerMessage(Level = LogLevel.Warning, Message = "terminating machine {Machine} of purged service {Service} failed ({Error}); the orphan collector will retry")]
    public static partial void PurgedMachineTerminationFailed(this ILogger logger, string machine, string service, string error);
}
