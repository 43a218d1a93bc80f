using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Cloud;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Services;
using SkyServe.Core.Domain;
using SkyServe.Core.Policies;
using SkyServe.Core.Spec;
using SkyServe.Providers;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// One reconcile pass over one service: learn what the machines and probes say, ask the pure policies
/// what to do (<see cref="ServicePlanner"/>), and do it through the provider. Every status change goes
/// through <see cref="StatusTransitions"/> and so becomes an event.
/// </summary>
public sealed class ServiceReconciler(
    ControllerDb db,
    ParsedSpecs parsedSpecs,
    ICloudProvider provider,
    OfferingCache offerings,
    ReadinessProber prober,
    RequestRates rates,
    ServiceRuntimeState runtime,
    MachineTerminations terminations,
    LocationStates locations,
    AgentCallback agentCallback,
    ReconcileSignal signal,
    IServiceScopeFactory scopes,
    ReconcileOptions options,
    TimeProvider time,
    ILogger<ServiceReconciler> log)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    public async Task ReconcileAsync(long serviceId, CancellationToken ct)
    {
        var service = await db.Services.SingleOrDefaultAsync(s => s.Id == serviceId, ct);
        if (service is null)
        {
            runtime.Forget(serviceId);
            return;
        }
        var replicas = await db.Replicas.Where(r => r.ServiceId == serviceId).ToListAsync(ct);
        var versions = await db.ServiceVersions.Where(v => v.ServiceId == serviceId).ToDictionaryAsync(v => v.Version, ct);
        if (UnreadableVersion(service, replicas, versions) is { } unreadable)
        {
            await HoldAsync(service, replicas, unreadable, ct);
            return;
        }
        var specs = versions.ToDictionary(v => v.Key, v => parsedSpecs.Get(v.Value));

        var current = versions[service.CurrentVersion];
        var spec = specs[service.CurrentVersion];
        var (placement, placementError) = PlacementOptions.For(spec, await offerings.GetAsync(ct));
        var candidates = placement.Select(p => p.Location).Distinct().ToList();

        await SyncMachinesAsync(service, replicas, candidates, ct);
        await ProbeAsync(replicas, specs, ct);
        await db.SaveChangesAsync(ct);

        if (service.Status == ServiceStatus.SHUTTING_DOWN)
        {
            await ShutDownAsync(service, replicas, ct);
            return;
        }

        var snapshot = new ServiceSnapshot(
            spec, service.CurrentVersion, current.Mode,
            replicas.Select(ToSnapshot).ToList(),
            await locations.LoadAsync(db, serviceId, ct),
            placement,
            rates.RequestsPerSecond(service.Name),
            runtime.Autoscaler(serviceId) ?? AutoscalerState.Initial(spec.Service.ReplicaPolicy.MinReplicas),
            time.GetUtcNow());
        var plan = ServicePlanner.Plan(snapshot);

        if (plan.Autoscaler.Target != snapshot.Autoscaler.Target)
            db.Note(service, $"target replicas {snapshot.Autoscaler.Target} → {plan.Autoscaler.Target} ({snapshot.RequestsPerSecond:0.##} req/s)", Now);
        runtime.SetAutoscaler(serviceId, plan.Autoscaler);
        runtime.SetServingVersions(serviceId, plan.ServingVersions);

        foreach (var decision in plan.Terminations)
        {
            var replica = replicas.Single(r => r.ReplicaId == decision.ReplicaId);
            db.SetStatus(replica, ReplicaStatus.SHUTTING_DOWN, decision.Reason, Now);
        }
        if (placementError is not null && plan.Launches.Count == 0 && replicas.All(r => r.Status.IsTerminal()))
            log.ServiceUnplaceable(service.Name, placementError);

        var launched = await RecordLaunchesAsync(service, plan, ct);
        UpdateServiceStatus(service, replicas, plan);
        await db.SaveChangesAsync(ct);

        StartTerminations(replicas);
        await LaunchAsync(service, launched.Concat(replicas.Where(r => r.Status == ReplicaStatus.PENDING && r.InstanceId is null)).Distinct().ToList(), specs, candidates, ct);
        await PruneEndedReplicasAsync(replicas, ct);
    }

    /// <summary>A version in use whose stored text a later release no longer accepts (a bound added since), if any.</summary>
    private ServiceVersionRecord? UnreadableVersion(ServiceRecord service, List<ReplicaRecord> replicas, Dictionary<int, ServiceVersionRecord> versions) =>
        versions.Values.FirstOrDefault(v => (v.Version == service.CurrentVersion || replicas.Any(r => r.Version == v.Version && !r.Status.IsTerminal()))
            && parsedSpecs.TryGet(v) is null);

    /// <summary>
    /// Acts on nothing for a service whose spec it cannot read, but still tears it down when asked: the service goes
    /// FAILED once, with the reason, and its replicas are left as they are until the owner updates or removes it.
    /// </summary>
    private async Task HoldAsync(ServiceRecord service, List<ReplicaRecord> replicas, ServiceVersionRecord unreadable, CancellationToken ct)
    {
        if (service.Status == ServiceStatus.SHUTTING_DOWN)
        {
            await ShutDownAsync(service, replicas, ct);
            return;
        }
        if (service.Status == ServiceStatus.FAILED)
            return;
        var error = parsedSpecs.Errors(unreadable).FirstOrDefault();
        var reason = $"the stored spec of version {unreadable.Version} no longer passes validation ({error?.Path}: {error?.Message}); "
            + "submit a corrected spec with update, or tear the service down";
        log.StoredSpecInvalid(service.Name, reason);
        db.SetStatus(service, ServiceStatus.FAILED, reason, Now);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Machine states → replica states: running machines start probing; vanished ones were preempted or failed.</summary>
    private async Task SyncMachinesAsync(ServiceRecord service, List<ReplicaRecord> replicas, IReadOnlyCollection<Location> candidates, CancellationToken ct)
    {
        foreach (var replica in replicas.Where(r => r.InstanceId is not null && !r.Status.IsTerminal() && r.Status != ReplicaStatus.SHUTTING_DOWN))
        {
            var machine = await provider.GetAsync(replica.InstanceId!, ct);
            if (machine is null)
            {
                if (replica.IsSpot)
                {
                    db.SetStatus(replica, ReplicaStatus.PREEMPTED, "the spot machine was reclaimed by the cloud", Now);
                    if (replica.NoticeDeadline is null) // a notice already marked the location
                        await locations.PreemptedAsync(db, service.Id, Location(replica), candidates, Now, ct);
                }
                else
                {
                    db.SetStatus(replica, ReplicaStatus.FAILED, "the machine disappeared", Now);
                }
                replica.InstanceId = null; // nothing left to clean up
                replica.Endpoint = null;
                continue;
            }
            replica.Endpoint ??= machine.Endpoint;
            if (replica.Status == ReplicaStatus.PROVISIONING && machine.State == MachineState.Running)
                db.SetStatus(replica, ReplicaStatus.STARTING, "the machine is running; waiting for the readiness probe", Now);
        }
    }

    /// <summary>Readiness per DESIGN.md section 5: READY only after a 200; NOT_READY at once on failure; replaced after the grace.</summary>
    private async Task ProbeAsync(List<ReplicaRecord> replicas, Dictionary<int, ServiceSpec> specs, CancellationToken ct)
    {
        var probed = replicas.Where(r => r.Endpoint is not null && r.NoticeDeadline is null
            && r.Status is ReplicaStatus.STARTING or ReplicaStatus.READY or ReplicaStatus.NOT_READY).ToList();
        var results = await Task.WhenAll(probed.Select(r => prober.ProbeAsync(r.Endpoint!, specs[r.Version].Service.ReadinessProbe, ct)));
        var now = Now;
        foreach (var (replica, result) in probed.Zip(results))
        {
            if (!result.Ok && await prober.InterruptionAsync(replica.Endpoint!, ct) is { } interruption)
            {
                await NoticeHandling.ApplyAsync(db, locations, replica, interruption.Deadline, time.GetUtcNow(), "reported by the replica's agent", ct);
                continue;
            }
            var next = ProbeOutcome.Next(replica.Status, result.Ok, result.Failure, now - replica.StatusChangedAt,
                specs[replica.Version].Service.ReadinessProbe.InitialDelaySeconds, options.NotReadyGrace);
            if (next is { } change)
                db.SetStatus(replica, change.Status, change.Reason, now);
        }
    }

    /// <summary>Creates the rows of new replicas (PENDING, with their launch token) before any launch, so a crash never loses track of a machine.</summary>
    private async Task<List<ReplicaRecord>> RecordLaunchesAsync(ServiceRecord service, ServicePlan plan, CancellationToken ct)
    {
        var inFlight = await db.Replicas.CountAsync(r => r.ServiceId == service.Id
            && (r.Status == ReplicaStatus.PENDING || r.Status == ReplicaStatus.PROVISIONING), ct);
        var room = Math.Max(0, options.MaxLaunchesInFlight - inFlight);
        if (!runtime.MayLaunch(service.Id, time.GetUtcNow()))
            room = 0;
        var created = new List<ReplicaRecord>();
        var now = Now;
        foreach (var launch in plan.Launches.Take(room))
        {
            var replica = new ReplicaRecord
            {
                ServiceId = service.Id,
                ReplicaId = service.NextReplicaId++,
                Version = launch.Version,
                Status = ReplicaStatus.PENDING,
                IsSpot = launch.IsSpot,
                Cloud = launch.Option.Location.Cloud,
                Region = launch.Option.Location.Region,
                Zone = launch.Option.Location.Zone,
                InstanceType = launch.Option.InstanceType,
                Accelerator = launch.Option.Accelerator,
                HourlyPrice = launch.IsSpot ? launch.Option.SpotPrice : launch.Option.OnDemandPrice,
                LaunchToken = Guid.NewGuid(),
                CreatedAt = now,
                StatusChangedAt = now,
            };
            db.Replicas.Add(replica);
            created.Add(replica);
        }
        if (created.Count > 0)
        {
            await db.SaveChangesAsync(ct); // ids first: events name the replica
            foreach (var (replica, launch) in created.Zip(plan.Launches))
                db.RecordCreated(replica, $"{(replica.IsSpot ? "spot" : "on-demand")} {replica.InstanceType} in {Location(replica)}: {launch.Reason}");
        }
        return created;
    }

    /// <summary>Launches through the provider; idempotent by the row's token, so PENDING rows left by a crash are simply launched again.</summary>
    private async Task LaunchAsync(ServiceRecord service, List<ReplicaRecord> pending, Dictionary<int, ServiceSpec> specs,
        IReadOnlyCollection<Location> candidates, CancellationToken ct)
    {
        if (pending.Count == 0)
            return;
        var results = await Task.WhenAll(pending.Select(async replica =>
        {
            var spec = specs[replica.Version];
            var request = new LaunchRequest(replica.LaunchToken.ToString(),
                new OfferingKey(replica.Cloud, replica.Region, replica.Zone, replica.InstanceType!, replica.IsSpot),
                new Dictionary<string, string>
                {
                    [MachineTags.ManagedBy] = MachineOwnership.ManagedBy,
                    [MachineTags.Service] = service.Name,
                    [MachineTags.Version] = replica.Version.ToString(),
                    [MachineTags.Replica] = replica.ReplicaId.ToString(),
                })
            {
                Agent = AgentSettingsFactory.For(spec, options) with
                {
                    ControllerUrl = agentCallback.ControllerUrl,
                    ControllerToken = agentCallback.TokenFor(replica.LaunchToken),
                },
            };
            try
            {
                return (replica, machine: await provider.LaunchAsync(request, ct), error: (CloudProviderException?)null);
            }
            catch (CloudProviderException e)
            {
                return (replica, machine: (CloudMachine?)null, error: e);
            }
        }));

        var now = Now;
        foreach (var (replica, machine, error) in results)
        {
            var location = Location(replica);
            if (machine is not null)
            {
                replica.InstanceId = machine.Id;
                replica.Endpoint = machine.Endpoint;
                db.SetStatus(replica, ReplicaStatus.PROVISIONING, $"launched machine {machine.Id}", now);
                if (replica.IsSpot)
                    await locations.LaunchedAsync(db, service.Id, location, candidates, ct);
                runtime.LaunchSucceeded(service.Id);
                continue;
            }
            db.SetStatus(replica, ReplicaStatus.FAILED_PROVISION, $"launch failed ({error!.Kind}): {error.Message}", now);
            if (error.Kind == CloudErrorKind.InsufficientCapacity && replica.IsSpot)
                await locations.LaunchFailedAsync(db, service.Id, location, candidates, ct); // try another location right away
            else
                runtime.LaunchFailed(service.Id, time.GetUtcNow(), options);
        }
        await db.SaveChangesAsync(ct);
        signal.Wake();
    }

    private void StartTerminations(List<ReplicaRecord> replicas)
    {
        foreach (var replica in replicas.Where(NeedsTermination))
        {
            if (terminations.IsRunning(replica.Id))
                continue;
            var rowId = replica.Id;
            var instanceId = replica.InstanceId;
            var status = replica.Status;
            terminations.Start(rowId, () => TerminateAsync(rowId, instanceId, status));
        }
    }

    /// <summary>
    /// Stops the machine, then: a replica shut down on purpose disappears (its events stay); a failed one
    /// keeps its row (and status) so operators can see why, without its machine.
    /// </summary>
    private async Task TerminateAsync(long rowId, string? instanceId, ReplicaStatus status)
    {
        await using var scope = scopes.CreateAsyncScope();
        var scopedDb = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        try
        {
            if (instanceId is not null)
                await provider.TerminateAsync(instanceId, CancellationToken.None);
            var replica = await scopedDb.Replicas.SingleOrDefaultAsync(r => r.Id == rowId);
            if (replica is null)
                return;
            if (replica.Status == ReplicaStatus.SHUTTING_DOWN)
            {
                scopedDb.RecordDeleted(replica, "machine terminated", Now);
                await RetireAsync(scopedDb, replica);
            }
            else
            {
                replica.InstanceId = null; // its machine is gone: nothing left to clean
                replica.Endpoint = null;
            }
            await scopedDb.SaveChangesAsync();
        }
        catch (Exception e) when (DatabaseFailures.IsTransient(e))
        {
            // Runs outside the pass (MachineTerminations): a database that is away must not escape as an unobserved task.
            scope.ServiceProvider.GetRequiredService<DatabaseOutage>().Failed("replica termination", e);
        }
        catch (Exception e) when (e is CloudProviderException or DbUpdateException)
        {
            log.ReplicaTerminationFailed(e, rowId);
        }
        signal.Wake();
    }

    private async Task ShutDownAsync(ServiceRecord service, List<ReplicaRecord> replicas, CancellationToken ct)
    {
        foreach (var replica in replicas.Where(r => !r.Status.IsTerminal() && r.Status != ReplicaStatus.SHUTTING_DOWN))
            db.SetStatus(replica, ReplicaStatus.SHUTTING_DOWN, "service teardown", Now);
        await db.SaveChangesAsync(ct);
        StartTerminations(replicas);
        if (replicas.Any(NeedsTermination))
            return;
        db.Services.Remove(service);
        await db.SaveChangesAsync(ct);
        runtime.Forget(service.Id);
        log.ServiceDown(service.Name);
    }

    private void UpdateServiceStatus(ServiceRecord service, List<ReplicaRecord> replicas, ServicePlan plan)
    {
        var serving = replicas.Any(r => r.Status == ReplicaStatus.READY && r.NoticeDeadline is null && plan.ServingVersions.Contains(r.Version));
        var alive = replicas.Any(r => !r.Status.IsTerminal() && r.Status != ReplicaStatus.SHUTTING_DOWN) || plan.Launches.Count > 0;
        var status = serving ? ServiceStatus.READY : alive ? ServiceStatus.REPLICA_INIT : ServiceStatus.NO_REPLICA;
        db.SetStatus(service, status, status switch
        {
            ServiceStatus.READY => "a replica is ready",
            ServiceStatus.REPLICA_INIT => "replicas are starting",
            _ => plan.TargetReplicas == 0 ? "scaled to zero" : "no replica is running",
        }, Now);
    }

    /// <summary>Ended replicas stay listed for a while so operators see what happened; then only their events remain.</summary>
    private async Task PruneEndedReplicasAsync(List<ReplicaRecord> replicas, CancellationToken ct)
    {
        var cutoff = Now - options.KeepEndedReplicas;
        var old = replicas.Where(r => r.Status.IsTerminal() && r.InstanceId is null && r.StatusChangedAt < cutoff).ToList();
        if (old.Count == 0)
            return;
        foreach (var replica in old)
            await RetireAsync(db, replica);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Shutting down on purpose, or ended with its machine still there.</summary>
    private static bool NeedsTermination(ReplicaRecord r) =>
        r.Status == ReplicaStatus.SHUTTING_DOWN || r.Status.IsTerminal() && r.InstanceId is not null;

    /// <summary>Removes a replica row, keeping what it cost in the service's total.</summary>
    private async Task RetireAsync(ControllerDb context, ReplicaRecord replica)
    {
        var owner = await context.Services.SingleAsync(s => s.Id == replica.ServiceId);
        owner.RetiredCost += CostAccounting.CostOf(replica, Now);
        context.Replicas.Remove(replica);
    }

    private static ReplicaSnapshot ToSnapshot(ReplicaRecord r) => new(
        r.ReplicaId, r.Version, r.Status, r.IsSpot, Location(r), r.Accelerator,
        new DateTimeOffset(r.CreatedAt, TimeSpan.Zero),
        r.NoticeDeadline is { } deadline ? new DateTimeOffset(deadline, TimeSpan.Zero) : null);

    private static Location Location(ReplicaRecord r) => new(r.Cloud, r.Region, r.Zone);
}

internal static partial class ServiceReconcilerLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "service {Service} cannot be placed: {Error}")]
    public static partial void ServiceUnplaceable(this ILogger logger, string service, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "service {Service}: {Reason}")]
    public static partial void StoredSpecInvalid(this ILogger logger, string service, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "terminating replica row {Row} failed; will retry")]
    public static partial void ReplicaTerminationFailed(this ILogger logger, Exception exception, long row);

    [LoggerMessage(Level = LogLevel.Information, Message = "service {Service} is down")]
    public static partial void ServiceDown(this ILogger logger, string service);
}
