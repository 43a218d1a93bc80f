using Microsoft.Extensions.Hosting;
using SkyServe.LoadBalancer.Routing;

namespace SkyServe.LoadBalancer.Hosting;

/// <summary>
/// Keeps the services' own listeners in step with the route table: at every change of the table. It starts once the server
/// has started: a port bound at start that another process holds fails the whole start, while one added by a reload is
/// only logged, leaving the shared port and the other services serving.
/// </summary>
internal sealed class ServicePortSync(RouteTable table, ServicePortListeners listeners, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await StartedAsync(stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = table.NextChangeAsync();
            listeners.Sync(table.Routes);
            await next.WaitAsync(stoppingToken);
        }
    }

    private Task StartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }
}
