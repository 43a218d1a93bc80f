using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Core.Hosting;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// Runs a reconcile pass over every service every <see cref="ReconcileOptions.Interval"/>, or at once when
/// signalled, but only on the leader: with several controllers on one PostgreSQL, one of them acts.
/// While the database is away it keeps trying with back-off (an outage must never end the host).
/// </summary>
public sealed class ReconcileLoop(
    IServiceScopeFactory scopes, ReconcileSignal signal, LeaderElection leader, ReconcileOptions options,
    MachineTerminations terminations, DatabaseOutage outage, IHostApplicationLifetime lifetime, ILogger<ReconcileLoop> log) : BackgroundService
{
    private readonly Backoff backoff = new(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stop acting the moment shutdown begins: the web server drains its requests before hosted services are
        // stopped, and no machine may be launched or replica marked READY meanwhile.
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        var ct = stopping.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var wait = options.Interval;
                try
                {
                    if (await leader.IsLeaderAsync(ct))
                        await PassAsync(ct);
                    outage.Succeeded();
                    backoff.Reset();
                }
                catch (Exception e) when (DatabaseFailures.IsTransient(e) && !ct.IsCancellationRequested)
                {
                    outage.Failed("reconcile loop", e);
                    wait = backoff.Next();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.ReconcilePassFailed(e); // a bug: worth its stack trace, but never the end of the loop
                    wait = backoff.Next();
                }
                await signal.WaitAsync(wait, ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await terminations.AllAsync().WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task PassAsync(CancellationToken ct)
    {
        List<long> ids;
        await using (var scope = scopes.CreateAsyncScope())
            ids = await scope.ServiceProvider.GetRequiredService<ControllerDb>().Services.Select(s => s.Id).ToListAsync(ct);
        foreach (var id in ids)
        {
            await using var scope = scopes.CreateAsyncScope();
            try
            {
                await scope.ServiceProvider.GetRequiredService<ServiceReconciler>().ReconcileAsync(id, ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                signal.Wake(); // the API changed the service meanwhile: look again with fresh rows
            }
            catch (Exception e) when (e is not OperationCanceledException && !DatabaseFailures.IsTransient(e))
            {
                log.ServiceReconcileFailed(e, id);
            }
            // A database that is away fails the whole pass: the loop backs off instead of failing every service in turn.
        }
    }
}

internal static partial class ReconcileLoopLog
{
    [LoggerMessage(Level = LogLevel.Error, Message = "the reconcile pass failed; retrying")]
    public static partial void ReconcilePassFailed(this ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "reconciling service {Service} failed")]
    public static partial void ServiceReconcileFailed(this ILogger logger, Exception exception, long service);
}
