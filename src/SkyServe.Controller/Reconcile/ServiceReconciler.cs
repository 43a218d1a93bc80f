using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Cloud;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Metrics;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Probing;
using SkyServe.Controller.Services;
using SkyServe.Core.Catalog;
using SkyServe.Core.Domain;
using SkyServe.Core.Placement;
using SkyServe.Core.Policies;
using SkyServe.Core.Spec;
using SkyServe.Providers;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// One reconcile of one service: observe (its rows, the shared machine list, the latest probe readings), decide (the pure
/// <see cref="ServicePlanner"/> and the rules beside it in Core), act (through the provider). Everything a later reconcile
/// needs — on this controller or another after a failover — is written to the database, under the reconcile lease's
/// generation (<see cref="ControllerDb.Fence"/>): a controller that lost the lease can neither write nor act.
/// Every status change goes through <see cref="StatusTransitions"/> and so becomes an event.
/// </summary>
public sealed class ServiceReconciler(
    ControllerDb db,
    ParsedSpecs parsedSpecs,
    ICloudProvider provider,
    OfferingCache offerings,
    MachineInventory inventory,
    ProbeScheduler probes,
    RequestRates rates,
    LeaderElection leader,
    MachineTerminations terminations,
    LocationStates locations,
    AgentCallback agentCallback,
    AgentPackages agentPackages,
    ReconcileSignal signal,
    ControllerMetrics metrics,
    IServiceScopeFactory scopes,
    ReconcileOptions options,
    TimeProvider time,
    ILogger<ServiceReconciler> log)
{
    private DateTime Now => time.GetUtcNow().UtcDateTime;

    /// <summary>Reconciles the service; returns when it should be looked at again (null: at the next resync is soon enough).</summary>
    public async Task<TimeSpan?> ReconcileAsync(long serviceId, long generation, CancellationToken ct)
    {
        db.Fence = generation;
        var service = await db.Services.SingleOrDefaultAsync(s => s.Id == serviceId, ct);
        if (service is null)
        {
            probes.Track(serviceId, []);
            return null;
        }
        signal.Known(service.Name, service.Id);
        var replicas = await db.Replicas.Where(r => r.ServiceId == serviceId).ToListAsync(ct);
        var versions = await parsedSpecs.LoadAsync(db, serviceId, ct);
        if (UnreadableVersion(service, replicas, versions) is { } unreadable)
        {
            await HoldAsync(service, replicas, unreadable, ct);
            return null;
        }
        var specs = versions.ToDictionary(v => v.Key, v => parsedSpecs.Get(v.Value));

        var current = versions[service.CurrentVersion];
        var spec = specs[service.CurrentVersion];
        var offered = await offerings.GetAsync(ct);
        var (placement, placementError) = PlacementOptions.For(spec, offered);
        var candidates = placement.Select(p => p.Location).Distinct().ToList();

        await SyncMachinesAsync(service, replicas, candidates, ct);
        await ApplyReadingsAsync(replicas, specs, ct);
        await db.SaveChangesAsync(ct);

        if (service.Status == ServiceStatus.SHUTTING_DOWN)
        {
            probes.Track(serviceId, []);
            await ShutDownAsync(service, replicas, generation, ct);
            return options.EffectiveBusyInterval;
        }

        var autoscaler = service.AutoscalerTarget is { } target
            ? new AutoscalerState(target, service.AutoscalerPendingTarget, Offset(service.AutoscalerPendingSince))
            : AutoscalerState.Initial(spec.Service.ReplicaPolicy.MinReplicas);
        var snapshot = new ServiceSnapshot(
            spec, service.CurrentVersion, current.Mode,
            replicas.Select(ToSnapshot).ToList(),
            await locations.LoadAsync(db, serviceId, ct),
            placement,
            await rates.RequestsPerSecondAsync(db, serviceId, ct),
            autoscaler,
            time.GetUtcNow());
        var plan = ServicePlanner.Plan(snapshot);

        if (plan.Autoscaler.Target != snapshot.Autoscaler.Target)
            db.Note(service, $"target replicas {snapshot.Autoscaler.Target} → {plan.Autoscaler.Target} ({snapshot.RequestsPerSecond:0.##} req/s)", Now);
        service.AutoscalerTarget = plan.Autoscaler.Target;
        service.AutoscalerPendingTarget = plan.Autoscaler.PendingTarget;
        service.AutoscalerPendingSince = plan.Autoscaler.PendingSince?.UtcDateTime;
        service.ServingVersions = ServingVersionsColumn.Format(plan.ServingVersions);

        foreach (var decision in plan.Terminations)
        {
            var replica = replicas.Single(r => r.ReplicaId == decision.ReplicaId);
            db.SetStatus(replica, ReplicaStatus.SHUTTING_DOWN, decision.Reason, Now);
        }
        if (placementError is not null && plan.Launches.Count == 0 && replicas.All(r => r.Status.IsTerminal()))
            log.ServiceUnplaceable(service.Name, placementError);

        var launched = await RecordLaunchesAsync(service, plan, specs, ct);
        var (status, reason) = ServiceStatusRule.Decide(replicas.Select(ToSnapshot).ToList(), plan);
        db.SetStatus(service, status, reason, Now);
        await db.SaveChangesAsync(ct);

        await StartTerminationsAsync(replicas, generation, ct);
        await LaunchAsync(service, launched.Concat(replicas.Where(r => r.Status == ReplicaStatus.PENDING && r.InstanceId is null)).Distinct().ToList(),
            specs, versions, candidates, offered, generation, ct);
        await PruneEndedReplicasAsync(replicas, ct);
        TrackProbes(service.Id, replicas, specs);
        return IsBusy(service, replicas, plan, Now) ? options.EffectiveBusyInterval : null;
    }

    /// <summary>Replicas in transition, a pending scaling decision or a launch back-off: looked at again soon rather than at the resync.</summary>
    private static bool IsBusy(ServiceRecord service, List<ReplicaRecord> replicas, ServicePlan plan, DateTime now) =>
        plan.Launches.Count > 0 || plan.Autoscaler.PendingTarget is not null || service.LaunchNotBefore > now
        || replicas.Any(r => r.NoticeDeadline is not null && !r.Status.IsTerminal()
            || r.Status is not (ReplicaStatus.READY or ReplicaStatus.FAILED or ReplicaStatus.FAILED_PROVISION or ReplicaStatus.PREEMPTED)
            || r.Status.IsTerminal() && r.MachineIds.Count > 0);

    private void TrackProbes(long serviceId, List<ReplicaRecord> replicas, Dictionary<int, ServiceSpec> specs) =>
        probes.Track(serviceId, replicas
            .Where(r => r.Endpoint is not null && r.NoticeDeadline is null && r.Status is ReplicaStatus.STARTING or ReplicaStatus.READY or ReplicaStatus.NOT_READY)
            .Select(r => new ProbeTarget(serviceId, r.Id, r.Endpoint!, specs[r.Version].Service.ReadinessProbe)).ToList());

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
            await ShutDownAsync(service, replicas, db.Fence ?? 0, ct);
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

    /// <summary>
    /// Machine states (from the shared list) → replica states: running machines start probing; vanished ones were
    /// preempted or failed. A multi-node replica is lost with any of its machines: those left are then terminated.
    /// </summary>
    private async Task SyncMachinesAsync(ServiceRecord service, List<ReplicaRecord> replicas, IReadOnlyCollection<Location> candidates, CancellationToken ct)
    {
        var grace = options.EffectiveMachineListInterval * 2;
        foreach (var replica in replicas.Where(r => r.InstanceId is not null && !r.Status.IsTerminal() && r.Status != ReplicaStatus.SHUTTING_DOWN))
        {
            var since = Offset(replica.CreatedAt)!.Value;
            var (machine, headGone) = inventory.Find(replica.InstanceId!, since, grace);
            var workers = (replica.WorkerNodes ?? []).Select(node => (Node: node,
                Lookup: node.InstanceId is { } id ? inventory.Find(id, since, grace) : new MachineLookup(null, Gone: false))).ToList();
            if (NodeGang.LostRank([(0, headGone), .. workers.Select(w => (w.Node.Rank, w.Lookup.Gone))]) is { } lostRank)
            {
                var what = replica.NodeCount == 1 ? "the machine" : lostRank == 0 ? "the head machine" : $"the machine of worker node {lostRank}";
                var rest = replica.NodeCount == 1 ? "" : "; the replica's other machines are terminated";
                if (replica.IsSpot)
                {
                    db.SetStatus(replica, ReplicaStatus.PREEMPTED, replica.NodeCount == 1
                        ? "the spot machine was reclaimed by the cloud" : $"{what} (spot) was reclaimed by the cloud{rest}", Now);
                    metrics.Preempted(replica.Cloud, replica.Region, replica.Zone);
                    if (replica.NoticeDeadline is null) // a notice already marked the location
                        await locations.PreemptedAsync(db, service.Id, Location(replica), candidates, Now, ct);
                }
                else
                {
                    db.SetStatus(replica, ReplicaStatus.FAILED, $"{what} disappeared{rest}", Now);
                }
                // Nothing left to clean up of the machines that are gone; the others still count (NeedsTermination).
                if (headGone)
                {
                    replica.InstanceId = null;
                    replica.Endpoint = null;
                }
                if (replica.WorkerNodes is not null)
                    replica.WorkerNodes = workers.Select(w => w.Lookup.Gone ? w.Node with { InstanceId = null, Endpoint = null } : w.Node).ToList();
                continue;
            }
            if (replica.WorkerNodes is not null) // a cloud tells a machine's address once it has one
                replica.WorkerNodes = workers.Select(w => w.Node.Endpoint is null && w.Lookup.Machine?.Endpoint is { } endpoint
                    ? w.Node with { Endpoint = endpoint } : w.Node).ToList();
            if (machine is null)
                continue; // not listed yet: judged at a later list
            replica.Endpoint ??= machine.Endpoint;
            if (replica.Status == ReplicaStatus.PROVISIONING && machine.State == MachineState.Running)
                db.SetStatus(replica, ReplicaStatus.STARTING, "the machine is running; waiting for the readiness probe", Now);
        }
    }

    /// <summary>
    /// Readiness per DESIGN.md section 5, from the prober's latest reading taken since the replica's last change: READY only
    /// after a 200; NOT_READY at once on failure; replaced after the grace. A reading that reports a notice applies it.
    /// </summary>
    private async Task ApplyReadingsAsync(List<ReplicaRecord> replicas, Dictionary<int, ServiceSpec> specs, CancellationToken ct)
    {
        var now = Now;
        foreach (var replica in replicas.Where(r => r.Endpoint is not null && r.NoticeDeadline is null
            && r.Status is ReplicaStatus.STARTING or ReplicaStatus.READY or ReplicaStatus.NOT_READY))
        {
            if (probes.Latest(replica.Id) is not { } reading || reading.At.UtcDateTime < replica.StatusChangedAt)
                continue;
            if (reading.NoticeDeadline is { } deadline)
            {
                if (await NoticeHandling.ApplyAsync(db, locations, replica, deadline, time.GetUtcNow(), "reported by the replica's agent", ct))
                    metrics.Notice(replica.Cloud, "probe");
                continue;
            }
            var next = ProbeOutcome.Next(replica.Status, reading.Ok, reading.Failure, now - replica.StatusChangedAt,
                specs[replica.Version].Service.ReadinessProbe.InitialDelaySeconds, options.NotReadyGrace);
            if (next is { } change)
                db.SetStatus(replica, change.Status, change.Reason, now);
        }
    }

    /// <summary>
    /// Creates the rows of new replicas (PENDING, with their launch token, and their workers' for a multi-node one) before
    /// any launch, so a crash never loses track of a machine.
    /// </summary>
    private async Task<List<ReplicaRecord>> RecordLaunchesAsync(ServiceRecord service, ServicePlan plan, Dictionary<int, ServiceSpec> specs,
        CancellationToken ct)
    {
        var inFlight = await db.Replicas.CountAsync(r => r.ServiceId == service.Id
            && (r.Status == ReplicaStatus.PENDING || r.Status == ReplicaStatus.PROVISIONING), ct);
        var room = LaunchAdmission.Room(BackoffOf(service), time.GetUtcNow(), options.MaxLaunchesInFlight, inFlight);
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
            if (NodeGang.WorkerRanks(specs[launch.Version].NumNodes) is { Count: > 0 } ranks)
                replica.WorkerNodes = ranks.Select(rank => new ReplicaNode { Rank = rank, LaunchToken = NodeGang.TokenFor(replica.LaunchToken, rank) }).ToList();
            db.Replicas.Add(replica);
            created.Add(replica);
        }
        if (created.Count > 0)
        {
            await db.SaveChangesAsync(ct); // ids first: events name the replica
            foreach (var (replica, launch) in created.Zip(plan.Launches))
                db.RecordCreated(replica, $"{(replica.IsSpot ? "spot" : "on-demand")} {Machines(replica)} in {Location(replica)}: {launch.Reason}");
        }
        return created;
    }

    /// <summary>
    /// Launches through the provider; idempotent by the row's tokens, so PENDING rows left by a crash are simply launched
    /// again. The nodes of a multi-node replica are launched together, in its one location: all or nothing — when any
    /// fails, the replica is a failed launch and the machines that did launch are terminated with it.
    /// </summary>
    private async Task LaunchAsync(ServiceRecord service, List<ReplicaRecord> pending, Dictionary<int, ServiceSpec> specs,
        Dictionary<int, ServiceVersionRecord> versions, IReadOnlyCollection<Location> candidates, IReadOnlyList<CloudOffering> offered,
        long generation, CancellationToken ct)
    {
        if (pending.Count == 0)
            return;
        await leader.EnsureHeldAsync(db, generation, ct); // the last look before acting on the cloud
        var results = await Task.WhenAll(pending.Select(async replica =>
            (Replica: replica, Nodes: await LaunchNodesAsync(service, replica, specs[replica.Version], versions[replica.Version], OfferingOf(replica, offered), ct))));

        var now = Now;
        foreach (var (replica, nodes) in results)
        {
            var location = Location(replica);
            foreach (var node in nodes)
                if (node.Machine is { } launchedMachine)
                    inventory.Launched(launchedMachine);
            replica.InstanceId = nodes[0].Machine?.Id;
            replica.Endpoint = nodes[0].Machine?.Endpoint;
            if (replica.WorkerNodes is not null)
                replica.WorkerNodes = replica.WorkerNodes.Select(w => nodes.Single(n => n.Rank == w.Rank).Machine is { } m
                    ? w with { InstanceId = m.Id, Endpoint = m.Endpoint } : w).ToList();
            if (NodeGang.FailedRank(nodes.Select(n => (n.Rank, n.Machine is not null)).ToList()) is not { } failedRank)
            {
                metrics.Launched(replica.Cloud, replica.IsSpot);
                db.SetStatus(replica, ReplicaStatus.PROVISIONING, replica.NodeCount == 1
                    ? $"launched machine {replica.InstanceId}"
                    : $"launched machines {string.Join(", ", nodes.Select(n => n.Machine!.Id))} (head first)", now);
                if (replica.IsSpot)
                    await locations.LaunchedAsync(db, service.Id, location, candidates, ct);
                SetBackoff(service, LaunchAdmission.AfterSuccess);
                continue;
            }
            var error = nodes.Single(n => n.Rank == failedRank).Error!;
            var which = replica.NodeCount == 1 ? "" : $"node {failedRank} of {replica.NodeCount}: ";
            var undo = replica.MachineIds.Count > 0 ? $"; the {replica.MachineIds.Count} machine(s) that launched are terminated" : "";
            db.SetStatus(replica, ReplicaStatus.FAILED_PROVISION, $"launch failed ({error.Kind}): {which}{error.Message}{undo}", now);
            metrics.LaunchFailed(replica.Cloud, replica.IsSpot, System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(error.Kind.ToString()));
            if (error.Kind == CloudErrorKind.InsufficientCapacity && replica.IsSpot)
                await locations.LaunchFailedAsync(db, service.Id, location, candidates, ct); // try another location right away
            else
                SetBackoff(service, LaunchAdmission.AfterFailure(BackoffOf(service), time.GetUtcNow(), options.LaunchBackoff, options.MaxLaunchBackoff));
        }
        await db.SaveChangesAsync(ct);
        signal.WakeHere(service.Id);
    }

    /// <summary>Launches every node of the replica at once (head first in the result), each with its own token.</summary>
    private async Task<NodeLaunch[]> LaunchNodesAsync(ServiceRecord service, ReplicaRecord replica, ServiceSpec spec, ServiceVersionRecord version,
        InstanceOffering? offering, CancellationToken ct)
    {
        var gpusPerNode = offering?.AcceleratorCount ?? 0; // SKYPILOT_NUM_GPUS_PER_NODE; 0 without GPUs
        var nodes = new List<(int Rank, Guid Token)> { (0, replica.LaunchToken) };
        nodes.AddRange((replica.WorkerNodes ?? []).Select(w => (w.Rank, w.LaunchToken)));
        var agent = AgentSettingsFactory.For(spec, options) with
        {
            ControllerUrl = agentCallback.ControllerUrl,
            // One token for every node of the replica: it names the replica, whose nodes it may ask for and report on.
            ControllerToken = agentCallback.TokenFor(replica.LaunchToken),
            Package = agentPackages.OfferAt(agentCallback.ControllerUrl),
            TaskFiles = AgentTaskFilesFactory.For(spec, SpecUploads.Parse(version.Uploads)),
        };
        var machine = ResourceResolver.MachineFor(spec.Resources, offering);
        return await Task.WhenAll(nodes.Select(async node =>
        {
            var tags = new Dictionary<string, string>
            {
                [MachineTags.ManagedBy] = MachineOwnership.ManagedBy,
                [MachineTags.Service] = service.Name,
                [MachineTags.Version] = replica.Version.ToString(),
                [MachineTags.Replica] = replica.ReplicaId.ToString(),
            };
            if (replica.NodeCount > 1)
                tags[MachineTags.NodeRank] = node.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var request = new LaunchRequest(node.Token.ToString(),
                new OfferingKey(replica.Cloud, replica.Region, replica.Zone, replica.InstanceType!, replica.IsSpot), tags)
            {
                Agent = agent with { Nodes = AgentNodesFactory.For(service.Name, replica, node.Rank, gpusPerNode) },
                Machine = machine,
            };
            try
            {
                return new NodeLaunch(node.Rank, await provider.LaunchAsync(request, ct), null);
            }
            catch (CloudProviderException e)
            {
                return new NodeLaunch(node.Rank, null, e);
            }
        }));
    }

    /// <summary>The catalog entry of the replica's instance type where it runs; null when the provider no longer offers it.</summary>
    private static InstanceOffering? OfferingOf(ReplicaRecord replica, IReadOnlyList<CloudOffering> offered) =>
        offered.Select(o => o.Instance).FirstOrDefault(i => i.Cloud == replica.Cloud && i.Region == replica.Region && i.Zone == replica.Zone
            && i.InstanceType == replica.InstanceType);

    private sealed record NodeLaunch(int Rank, CloudMachine? Machine, CloudProviderException? Error);

    private async Task StartTerminationsAsync(List<ReplicaRecord> replicas, long generation, CancellationToken ct)
    {
        var due = replicas.Where(r => NeedsTermination(r) && !terminations.IsRunning(r.Id)).ToList();
        if (due.Count == 0)
            return;
        await leader.EnsureHeldAsync(db, generation, ct); // the last look before acting on the cloud
        foreach (var replica in due)
        {
            var rowId = replica.Id;
            var serviceId = replica.ServiceId;
            var machineIds = replica.MachineIds;
            terminations.Start(rowId, () => TerminateAsync(rowId, serviceId, machineIds, generation));
        }
    }

    /// <summary>
    /// Stops the replica's machines (every node's, at once), then: a replica shut down on purpose disappears (its events
    /// stay); a failed one keeps its row (and status) so operators can see why, without its machines.
    /// </summary>
    private async Task TerminateAsync(long rowId, long serviceId, IReadOnlyList<string> machineIds, long generation)
    {
        await using var scope = scopes.CreateAsyncScope();
        var scopedDb = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        scopedDb.Fence = generation;
        try
        {
            await Task.WhenAll(machineIds.Select(async machineId =>
            {
                await provider.TerminateAsync(machineId, CancellationToken.None);
                inventory.Terminated(machineId);
            }));
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
                replica.InstanceId = null; // its machines are gone: nothing left to clean
                replica.Endpoint = null;
                replica.WorkerNodes = replica.WorkerNodes?.Select(w => w with { InstanceId = null, Endpoint = null }).ToList();
            }
            await scopedDb.SaveChangesAsync();
        }
        catch (Exception e) when (DatabaseFailures.IsTransient(e))
        {
            // Runs outside the pass (MachineTerminations): a database that is away must not escape as an unobserved task.
            scope.ServiceProvider.GetRequiredService<DatabaseOutage>().Failed("replica termination", e);
        }
        catch (Exception e) when (e is CloudProviderException or DbUpdateException or LeaseLostException)
        {
            log.ReplicaTerminationFailed(e, rowId);
        }
        signal.WakeHere(serviceId);
    }

    private async Task ShutDownAsync(ServiceRecord service, List<ReplicaRecord> replicas, long generation, CancellationToken ct)
    {
        foreach (var replica in replicas.Where(r => !r.Status.IsTerminal() && r.Status != ReplicaStatus.SHUTTING_DOWN))
            db.SetStatus(replica, ReplicaStatus.SHUTTING_DOWN, "service teardown", Now);
        await db.SaveChangesAsync(ct);
        await StartTerminationsAsync(replicas, generation, ct);
        if (replicas.Any(NeedsTermination))
            return;
        db.Services.Remove(service);
        await db.SaveChangesAsync(ct);
        signal.Forget(service.Name);
        log.ServiceDown(service.Name);
    }

    private static LaunchBackoffState BackoffOf(ServiceRecord service) => new(service.LaunchFailures, Offset(service.LaunchNotBefore));

    private static void SetBackoff(ServiceRecord service, LaunchBackoffState state)
    {
        service.LaunchFailures = state.Failures;
        service.LaunchNotBefore = state.NotBefore?.UtcDateTime;
    }

    private static DateTimeOffset? Offset(DateTime? utc) => utc is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : null;

    /// <summary>Ended replicas stay listed for a while so operators see what happened; then only their events remain.</summary>
    private async Task PruneEndedReplicasAsync(List<ReplicaRecord> replicas, CancellationToken ct)
    {
        var cutoff = Now - options.KeepEndedReplicas;
        var old = replicas.Where(r => r.Status.IsTerminal() && r.MachineIds.Count == 0 && r.StatusChangedAt < cutoff).ToList();
        if (old.Count == 0)
            return;
        foreach (var replica in old)
            await RetireAsync(db, replica);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Shutting down on purpose, or ended with a machine (of any of its nodes) still there.</summary>
    private static bool NeedsTermination(ReplicaRecord r) =>
        r.Status == ReplicaStatus.SHUTTING_DOWN || r.Status.IsTerminal() && r.MachineIds.Count > 0;

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

    /// <summary>"g5.xlarge", or "2 × g5.xlarge" for a multi-node replica.</summary>
    private static string Machines(ReplicaRecord r) => r.NodeCount == 1 ? $"{r.InstanceType}" : $"{r.NodeCount} × {r.InstanceType}";
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
