using Microsoft.EntityFrameworkCore;
using SkyServe.Controller.Persistence;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// Runs a reconcile pass over every service every <see cref="ReconcileOptions.Interval"/>, or at once when
/// signalled, but only on the leader: with several controllers on one PostgreSQL, one of them acts.
/// </summary>
public sealed class ReconcileLoop(
    IServiceScopeFactory scopes, ReconcileSignal signal, LeaderElection leader, ReconcileOptions options,
    MachineTerminations terminations, IHostApplicationLifetime lifetime, ILogger<ReconcileLoop> log) : BackgroundService
{
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
                if (await leader.IsLeaderAsync(ct))
                    await PassAsync(ct);
                await signal.WaitAsync(options.Interval, ct);
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
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "reconciling service {Service} failed", id);
            }
        }
    }
}
