using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Cloud;
using SkyServe.Controller.Metrics;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Probing;
using SkyServe.Core.Hosting;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// Reconciles services from <see cref="ReconcileQueue"/> with a bounded pool of workers, while this controller holds the
/// reconcile lease (<see cref="LeaderElection"/>): different services at once, one service never twice at once, failures
/// retried per service with back-off. Every <see cref="ReconcileOptions.Interval"/> every service is queued (the resync);
/// everything else is driven by events. Machine state comes from one shared list (<see cref="MachineInventory"/>),
/// readiness from the <see cref="ProbeScheduler"/>. While the database is away it backs off; nothing here ends the host.
/// </summary>
public sealed partial class ReconcileWorkers(
    IServiceScopeFactory scopes, ReconcileQueue queue, ReconcileSignal signal, LeaderElection leader, ReconcileOptions options,
    MachineInventory inventory, ProbeScheduler probes, MachineTerminations terminations, DatabaseOutage outage,
    IHostApplicationLifetime lifetime, ControllerMetrics metrics, TimeProvider time, ILogger<ReconcileWorkers> log) : BackgroundService
{
    private readonly ConcurrentDictionary<long, int> failures = new();
    private readonly Backoff retry = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stop acting the moment shutdown begins: the web server drains its requests before hosted services are
        // stopped, and no machine may be launched or replica marked READY meanwhile.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        var ct = stopping.Token;
        leader.LeadershipLost += Forget;
        try
        {
            var workers = Enumerable.Range(0, options.Workers).Select(_ => Task.Run(() => WorkAsync(ct), ct)).ToList();
            await Task.WhenAll(workers.Append(LeadAsync(ct)));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            leader.LeadershipLost -= Forget;
            Forget();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await terminations.AllAsync().WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
        await leader.ReleaseAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Holds (or tries for) the lease; while held, resyncs every service and keeps the machine list fresh.</summary>
    private async Task LeadAsync(CancellationToken ct)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2));
        long? lastResync = null, lastList = null;
        var tick = options.LeaseRenewal / 2 < options.Interval ? options.LeaseRenewal / 2 : options.Interval;
        while (!ct.IsCancellationRequested)
        {
            var wait = tick;
            try
            {
                if (await leader.IsLeaderAsync(ct))
                {
                    if (lastList is null || time.GetElapsedTime(lastList.Value) >= options.EffectiveMachineListInterval)
                    {
                        lastList = time.GetTimestamp();
                        await ListMachinesAsync(ct);
                    }
                    if (lastResync is null || time.GetElapsedTime(lastResync.Value) >= options.Interval)
                    {
                        lastResync = time.GetTimestamp();
                        await ResyncAsync(ct);
                    }
                }
                else
                {
                    lastResync = lastList = null; // a controller that (re)gains the lease starts from a full look
                }
                outage.Succeeded();
                backoff.Reset();
            }
            catch (Exception e) when (DatabaseFailures.IsTransient(e) && !ct.IsCancellationRequested)
            {
                outage.Failed("reconcile lease", e);
                wait = backoff.Next();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LeaseLoopFailed(log, e);
                wait = backoff.Next();
            }
            await Task.Delay(wait < options.EffectiveMachineListInterval ? wait : options.EffectiveMachineListInterval, time, ct);
        }
    }

    private async Task ResyncAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var ids = await scope.ServiceProvider.GetRequiredService<ControllerDb>().Services.Select(s => s.Id).ToListAsync(ct);
        queue.AddRange(ids);
    }

    private async Task ListMachinesAsync(CancellationToken ct)
    {
        try
        {
            foreach (var machine in await inventory.RefreshAsync(ct))
                if (machine.Tags.TryGetValue(Providers.MachineTags.Service, out var service))
                    signal.WakeHere(service);
        }
        catch (Providers.CloudProviderException e)
        {
            MachineListFailed(log, e.Message); // judged on the previous list meanwhile; nothing is declared gone without a list
        }
    }

    private async Task WorkAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var id = await queue.TakeAsync(ct);
            try
            {
                if (!leader.HoldsLock)
                    continue;
                var again = await ReconcileAsync(id, ct);
                failures.TryRemove(id, out _);
                if (again is { } after)
                    queue.AddAfter(id, after);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (DbUpdateConcurrencyException)
            {
                queue.AddAfter(id, TimeSpan.FromMilliseconds(50)); // the API changed the service meanwhile: look again with fresh rows
            }
            catch (LeaseLostException e)
            {
                await leader.ResignAsync(e.Message);
            }
            catch (Exception e) when (DatabaseFailures.IsTransient(e) && !ct.IsCancellationRequested)
            {
                outage.Failed("reconcile", e);
                queue.AddAfter(id, Retry(id));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ServiceReconcileFailed(log, e, id); // a bug: worth its stack trace, retried with back-off
                queue.AddAfter(id, Retry(id));
            }
            finally
            {
                queue.Done(id);
            }
        }
    }

    private async Task<TimeSpan?> ReconcileAsync(long id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var started = time.GetTimestamp();
        var failed = true;
        try
        {
            var again = await scope.ServiceProvider.GetRequiredService<ServiceReconciler>().ReconcileAsync(id, leader.Generation, ct);
            failed = false;
            return again;
        }
        finally
        {
            metrics.Reconciled(time.GetElapsedTime(started), failed);
        }
    }

    private TimeSpan Retry(long id) => retry.DelayAfter(failures.AddOrUpdate(id, 1, (_, n) => n + 1));

    private void Forget()
    {
        queue.Clear();
        probes.Clear();
        inventory.Clear();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "the reconcile lease loop failed; retrying")]
    private static partial void LeaseLoopFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "reconciling service {Service} failed")]
    private static partial void ServiceReconcileFailed(ILogger logger, Exception exception, long service);

    [LoggerMessage(Level = LogLevel.Warning, Message = "listing machines failed ({Error}); retrying at the next interval")]
    private static partial void MachineListFailed(ILogger logger, string error);
}
