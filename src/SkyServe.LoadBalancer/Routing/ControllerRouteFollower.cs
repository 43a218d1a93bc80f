using SkyServe.Contracts.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SkyServe.Core.Hosting;

namespace SkyServe.LoadBalancer.Routing;

/// <summary>
/// Follows the controller's READY sets with a long poll, so a change reaches the table within the
/// controller's recompute period. While the controller is unreachable the last table keeps routing.
/// </summary>
public sealed class ControllerRouteFollower(ControllerClient controller, RouteTable table, ILogger<ControllerRouteFollower> log) : BackgroundService
{
    public static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(25);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string? etag = null;
        var backoff = new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var document = await controller.RoutesAsync(etag, LongPoll, stoppingToken);
                if (document.Etag != etag)
                {
                    table.Replace(document.Services.Select(ToRoute));
                    etag = document.Etag;
                }
                backoff.Reset();
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                log.ControllerUnreachable(e.Message);
                await Task.Delay(backoff.Next(), stoppingToken);
            }
        }
    }

    private static ServiceRoute ToRoute(ServiceRoutesView s) => new(
        s.Name, s.LoadBalancingPolicy,
        s.ReadyReplicas.Select(r => new Replica(r.ReplicaId.ToString(), r.Url, r.Version, r.Weight)).ToList(),
        ScaleToZero: s.MinReplicas == 0, BuiltInEngine: s.BuiltInEngine);
}
