using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SkyServe.Contracts;
using SkyServe.Contracts.Routing;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Controller.Services;
using SkyServe.Core.Hosting;

namespace SkyServe.Controller.Routing;

/// <summary>
/// The READY set of every service, kept per service. Only the services a write marked (<see cref="RoutingChangeSignal"/>:
/// this controller's saves, other controllers' notices) are read again, at once; every service is read at least every
/// <see cref="RoutingOptions.FullRecomputeInterval"/> as a safety net. A service whose routes come out the same changes
/// nothing; any other change bumps the table's revision, stamps the changed services with it, and wakes the long polls,
/// which answer only what changed after the revision they were given (<see cref="RoutingSnapshot.Answer"/>).
/// While the database is away the last table stays: load balancers keep routing to the replicas they knew.
/// </summary>
public sealed class RoutingTable(
    IServiceScopeFactory scopes, ParsedSpecs specs, RoutingChangeSignal changes, DatabaseOutage outage,
    IOptions<ControllerOptions> options, TimeProvider time, ILogger<RoutingTable> log) : BackgroundService
{
    /// <summary>How often the loop looks for marked services.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);
    private readonly Backoff backoff = new(Period, TimeSpan.FromSeconds(2));
    private readonly RoutingOptions settings = options.Value.Routing;
    private readonly RoutedSpecs routedSpecs = new(specs);
    // Owned by the loop; readers see only the published snapshot.
    private readonly Dictionary<long, RouteEntry> entries = [];
    private volatile RoutingSnapshot current = RoutingSnapshot.Empty(Guid.NewGuid().ToString("N")[..12]);
    private TaskCompletionSource changed = NewWaiter();
    private long lastFull;
    private bool fullDue = true;

    /// <summary>The current revision's token (what a load balancer passes as ?since=).</summary>
    public string Revision => current.Token;

    /// <summary>The answer for <paramref name="since"/> now, without waiting.</summary>
    public RoutesView Answer(string? since) => current.Answer(since);

    /// <summary>The changes after <paramref name="since"/> (or the whole table) once there are any, or the empty delta after <paramref name="wait"/>.</summary>
    public async Task<RoutesView> WaitForChangeAsync(string? since, TimeSpan wait, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var next = changed.Task; // before reading the snapshot: a change in between completes it
            var snapshot = current;
            var remaining = wait - time.GetElapsedTime(started);
            if (!snapshot.IsCurrent(since) || remaining <= TimeSpan.Zero)
                return snapshot.Answer(since);
            try
            {
                await next.WaitAsync(remaining, time, ct);
            }
            catch (TimeoutException)
            {
                return current.Answer(since);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = Period;
            var (all, marked) = changes.Take();
            var full = all || fullDue || time.GetElapsedTime(lastFull) >= settings.FullRecomputeInterval;
            var services = full ? null : marked;
            try
            {
                if (services is not { Count: 0 })
                {
                    var started = time.GetTimestamp();
                    await RecomputeAsync(services, stoppingToken);
                    outage.Succeeded();
                    backoff.Reset();
                    if (full)
                        (lastFull, fullDue) = (started, false);
                }
            }
            catch (Exception e) when (DatabaseFailures.IsTransient(e) && !stoppingToken.IsCancellationRequested)
            {
                fullDue = true; // the marks taken are lost with this try
                outage.Failed("routing table", e);
                wait = backoff.Next();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                fullDue = true;
                log.RoutingTableRecomputeFailed(e);
                wait = backoff.Next();
            }
            ForgetOldRemovals();
            await changes.WaitAsync(wait, stoppingToken);
        }
    }

    /// <summary>Reads <paramref name="services"/> (every service when null) and publishes what changed.</summary>
    private async Task RecomputeAsync(IReadOnlySet<long>? services, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        var rows = await RouteRows.LoadAsync(db, services, ct);
        await routedSpecs.LoadAsync(db, rows, ct);

        var updated = new List<RouteEntry>();
        foreach (var row in rows)
        {
            var view = Build(row, ServingVersionsColumn.Parse(row.ServingVersions));
            var fingerprint = Fingerprint(view);
            if (!entries.TryGetValue(row.Id, out var known) || known.Fingerprint != fingerprint) // same routes: nothing to tell anyone
                updated.Add(new RouteEntry(row.Id, view, fingerprint, 0));
        }
        var present = rows.Select(r => r.Id).ToHashSet();
        var gone = (services ?? (IEnumerable<long>)entries.Keys).Where(id => entries.ContainsKey(id) && !present.Contains(id)).ToList();
        if (updated.Count > 0 || gone.Count > 0 || !current.Ready)
            Publish(updated, gone);
    }

    private ServiceRoutesView Build(ServiceRouteRow row, IReadOnlySet<int>? servingVersions)
    {
        var replicas = row.Replicas;
        var serving = servingVersions ?? replicas.Select(r => r.Version).ToHashSet();
        var spec = routedSpecs.For(row);
        var targets = spec?.Targets;
        return new ServiceRoutesView(
            row.Name, row.Status.ToString(), row.LoadBalancingPolicy ?? "least_load", row.MinReplicas ?? 1, serving.Order().ToList(),
            replicas.Where(r => serving.Contains(r.Version)).OrderBy(r => r.ReplicaId).Select(r => new RouteReplicaView(
                r.ReplicaId, r.Endpoint, r.Version, $"{r.Cloud}/{r.Region}/{r.Zone}", r.IsSpot, r.Accelerator,
                targets is { IsPerAccelerator: true } ? targets.For(r.Accelerator) ?? 1 : 1)).ToList(),
            spec?.BuiltInEngine ?? false, row.EndpointPort, spec?.Tls);
    }

    /// <summary>One new revision for the whole batch: its changed services carry it, its removed ones are remembered with it.</summary>
    private void Publish(List<RouteEntry> updated, List<long> gone)
    {
        var previous = current;
        var revision = previous.Revision + 1;
        var byName = previous.Services.ToBuilder();
        var removed = previous.Removed.ToBuilder();
        var unrouted = new List<string>();
        void Unroute(RouteEntry entry)
        {
            entries.Remove(entry.ServiceId);
            // A service deleted and created again under its name (a new id) may already hold the name.
            if (byName.TryGetValue(entry.View.Name, out var holder) && holder.ServiceId == entry.ServiceId)
            {
                byName.Remove(entry.View.Name);
                unrouted.Add(entry.View.Name);
            }
        }
        foreach (var id in gone)
        {
            Unroute(entries[id]);
            routedSpecs.Forget(id);
        }
        foreach (var entry in updated)
        {
            if (entries.TryGetValue(entry.ServiceId, out var known) && known.View.Name != entry.View.Name)
                Unroute(known);
            var stamped = entry with { Revision = revision };
            entries[entry.ServiceId] = stamped;
            byName[entry.View.Name] = stamped;
            removed.Remove(entry.View.Name);
        }
        var now = time.GetUtcNow();
        foreach (var name in unrouted.Where(n => !byName.ContainsKey(n)))
            removed[name] = new RemovedService(revision, now);
        Swap(previous with { Revision = revision, Ready = true, Services = byName.ToImmutable(), Removed = removed.ToImmutable() });
    }

    /// <summary>Removals older than <see cref="RoutingOptions.KeepRemovedFor"/> are forgotten; deltas from before them become full answers.</summary>
    private void ForgetOldRemovals()
    {
        var previous = current;
        var cutoff = time.GetUtcNow() - settings.KeepRemovedFor;
        var old = previous.Removed.Where(r => r.Value.At <= cutoff).ToList();
        if (old.Count == 0)
            return;
        current = previous with
        {
            Removed = previous.Removed.RemoveRange(old.Select(r => r.Key)),
            Floor = Math.Max(previous.Floor, old.Max(r => r.Value.Revision)),
        };
    }

    private void Swap(RoutingSnapshot next)
    {
        current = next;
        Interlocked.Exchange(ref changed, NewWaiter()).TrySetResult();
    }

    private static string Fingerprint(ServiceRoutesView view) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(view, ContractJson.Options)));

    private static TaskCompletionSource NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal static partial class RoutingTableLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "recomputing the routing table failed")]
    public static partial void RoutingTableRecomputeFailed(this ILogger logger, Exception exception);
}
