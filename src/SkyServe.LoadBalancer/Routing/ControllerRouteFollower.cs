using SkyServe.Contracts.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SkyServe.Core.Hosting;

namespace SkyServe.LoadBalancer.Routing;

/// <summary>
/// Follows the controller's READY sets with a long poll, so a change reaches the table within the
/// controller's recompute period: the first answer is the whole table, later ones only the services changed or
/// removed since the revision it passed back (or the whole table again when the controller cannot tell, e.g. after
/// its restart). While the controller is unreachable the last table keeps routing.
/// </summary>
public sealed class ControllerRouteFollower(
    ControllerClient controller, RouteTable table, ServiceCertificates certificates, ILogger<ControllerRouteFollower> log) : BackgroundService
{
    public static readonly TimeSpan LongPoll = TimeSpan.FromSeconds(25);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        string? revision = null;
        var backoff = new Backoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var document = await controller.RoutesAsync(revision, LongPoll, stoppingToken);
                if (document.Full)
                    table.Replace(document.Services.Select(ToRoute));
                else if (document.Services.Count > 0 || document.Removed is { Count: > 0 })
                    table.Apply(document.Services.Select(ToRoute), document.Removed ?? []);
                revision = document.Revision;
                backoff.Reset();
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                log.ControllerUnreachable(e.Message);
                await Task.Delay(backoff.Next(), stoppingToken);
            }
        }
    }

    private ServiceRoute ToRoute(ServiceRoutesView s)
    {
        var certificate = certificates.For(s.Name, s.Tls);
        return new(
            s.Name, s.LoadBalancingPolicy,
            s.ReadyReplicas.Select(r => new Replica(r.ReplicaId.ToString(), r.Url, r.Version, r.Weight)).ToList(),
            ScaleToZero: s.MinReplicas == 0, BuiltInEngine: s.BuiltInEngine,
            // A TLS service whose certificate does not load gets no port of its own rather than a plaintext one.
            EndpointPort: s.Tls is not null && certificate is null ? null : s.EndpointPort, Certificate: certificate);
    }
}
