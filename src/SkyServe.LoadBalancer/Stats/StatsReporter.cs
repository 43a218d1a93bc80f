using SkyServe.Contracts.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SkyServe.LoadBalancer.Hosting;
using SkyServe.LoadBalancer.Routing;

namespace SkyServe.LoadBalancer.Stats;

/// <summary>Posts the requests seen since the previous post to the controller, for its autoscaler (and our endpoint for its status).</summary>
public sealed class StatsReporter(ControllerClient controller, StatsRegistry stats, LoadBalancerOptions options, ListenAddress listen,
    ILogger<StatsReporter> log) : BackgroundService
{
    private readonly SemaphoreSlim wake = new(0, 1);

    /// <summary>Posts at once (a request is waiting for a scaled-to-zero service).</summary>
    public void Wake()
    {
        try
        {
            wake.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await wake.WaitAsync(options.StatsInterval, stoppingToken);
            var taken = stats.All.Select(s => (Name: s.Key, Stats: s.Value, Requests: s.Value.TakeUnreported())).ToList();
            try
            {
                await controller.PostStatsAsync(new LoadBalancerStats(
                    options.Id,
                    taken.Select(t => new ServiceRequestStats(t.Name, t.Requests, listen.EndpointFor(t.Name))).ToList()), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                foreach (var t in taken)
                    t.Stats.Restore(t.Requests);
                log.PostingStatsFailed(e.Message);
            }
        }
    }
}

internal static partial class StatsReporterLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "posting stats failed: {Error}")]
    public static partial void PostingStatsFailed(this ILogger logger, string error);
}
