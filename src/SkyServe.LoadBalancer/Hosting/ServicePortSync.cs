using Microsoft.Extensions.Hosting;
using SkyServe.LoadBalancer.Routing;

namespace SkyServe.LoadBalancer.Hosting;

/// <summary>Keeps the services' own listeners in step with the route table: at every change of the table.</summary>
internal sealed class ServicePortSync(RouteTable table, ServicePortListeners listeners) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = table.NextChangeAsync();
            listeners.Sync(table.Routes);
            await next.WaitAsync(stoppingToken);
        }
    }
}
