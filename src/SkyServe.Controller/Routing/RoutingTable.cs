using SkyServe.Contracts.Routing;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Hosting;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Domain;
using SkyServe.Controller.Services;

namespace SkyServe.Controller.Routing;

/// <summary>
/// The READY set of every service, recomputed from the database at once after this controller writes a
/// replica or service (<see cref="RoutingChangeSignal"/>) and at least every <see cref="Period"/> (so that
/// every controller of a shared PostgreSQL serves the same table), with long-poll waiters woken on a change.
/// While the database is away the last table stays: load balancers keep routing to the replicas they knew.
/// </summary>
public sealed class RoutingTable(
    IServiceScopeFactory scopes, ParsedSpecs specs, RoutingChangeSignal localWrites, DatabaseOutage outage,
    TimeProvider time, ILogger<RoutingTable> log) : BackgroundService
{
    private readonly Backoff backoff = new(Period, TimeSpan.FromSeconds(2));
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(200);
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private volatile RoutesView current = new("", []);
    private TaskCompletionSource changed = NewWaiter();

    public RoutesView Current => current;

    /// <summary>The table once its etag differs from <paramref name="since"/>, or the unchanged one after <paramref name="wait"/>.</summary>
    public async Task<RoutesView> WaitForChangeAsync(string? since, TimeSpan wait, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        while (current.Etag == since || current.Etag == "")
        {
            var remaining = wait - time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
                break;
            try
            {
                await changed.Task.WaitAsync(remaining, time, ct);
            }
            catch (TimeoutException)
            {
                break;
            }
        }
        return current;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = Period;
            try
            {
                var next = await ComputeAsync(stoppingToken);
                outage.Succeeded();
                backoff.Reset();
                if (next.Etag != current.Etag)
                {
                    current = next;
                    Interlocked.Exchange(ref changed, NewWaiter()).TrySetResult();
                }
            }
            catch (Exception e) when (DatabaseFailures.IsTransient(e) && !stoppingToken.IsCancellationRequested)
            {
                outage.Failed("routing table", e);
                wait = backoff.Next();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.RoutingTableRecomputeFailed(e);
                wait = backoff.Next();
            }
            await localWrites.WaitAsync(wait, stoppingToken);
        }
    }

    private async Task<RoutesView> ComputeAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ControllerDb>();
        var services = await db.Services.AsNoTracking().Where(s => s.Status != ServiceStatus.SHUTTING_DOWN).OrderBy(s => s.Name).ToListAsync(ct);
        var ready = (await db.Replicas.AsNoTracking().Where(r => r.Status == ReplicaStatus.READY && r.NoticeDeadline == null && r.Endpoint != null)
            .ToListAsync(ct)).ToLookup(r => r.ServiceId);
        var currentSpecs = await db.ServiceVersions.AsNoTracking()
            .Join(db.Services, v => new { v.ServiceId, v.Version }, s => new { ServiceId = s.Id, Version = s.CurrentVersion }, (v, s) => v)
            .ToDictionaryAsync(v => v.ServiceId, ct);

        var views = new List<ServiceRoutesView>();
        foreach (var service in services)
        {
            var replicas = ready[service.Id].ToList();
            var serving = ServingVersionsColumn.Parse(service.ServingVersions) ?? replicas.Select(r => r.Version).ToHashSet();
            var version = currentSpecs.GetValueOrDefault(service.Id);
            var spec = version is null ? null : specs.TryGet(version); // an unreadable stored spec: routed with defaults (the reconciler reports it)
            var targets = spec?.Service.ReplicaPolicy.TargetQpsPerReplica;
            views.Add(new ServiceRoutesView(
                service.Name, service.Status.ToString(), version?.LoadBalancingPolicy ?? "least_load", version?.MinReplicas ?? 1, serving.Order().ToList(),
                replicas.Where(r => serving.Contains(r.Version)).OrderBy(r => r.ReplicaId).Select(r => new RouteReplicaView(
                    r.ReplicaId, r.Endpoint!, r.Version, $"{r.Cloud}/{r.Region}/{r.Zone}", r.IsSpot, r.Accelerator,
                    targets is { IsPerAccelerator: true } ? targets.For(r.Accelerator) ?? 1 : 1)).ToList(),
                spec?.UsesBuiltInEngine ?? false));
        }
        var content = JsonSerializer.SerializeToUtf8Bytes(views, Json);
        return new RoutesView(Convert.ToHexString(SHA256.HashData(content))[..16].ToLowerInvariant(), views);
    }

    private static TaskCompletionSource NewWaiter() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

internal static partial class RoutingTableLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "recomputing the routing table failed")]
    public static partial void RoutingTableRecomputeFailed(this ILogger logger, Exception exception);
}
