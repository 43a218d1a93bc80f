using SkyServe.Contracts.Routing;
using SkyServe.Controller.Api;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Reconcile;
using SkyServe.Controller.Services;

namespace SkyServe.Controller.Routing;

/// <summary>
/// The controller ↔ load balancer contract: GET /api/v1/lb/routes (long-poll with ?since=REVISION&amp;wait_seconds=N;
/// answers as soon as a READY set changes, with only the changed services), POST /api/v1/lb/stats (request counts for the autoscaler) and
/// GET /api/v1/lb/scrape-targets (the agents, for Prometheus' service discovery), with the load balancer's own token (<see cref="ScopedTokens.LoadBalancer"/>).
/// </summary>
public static class LoadBalancerEndpoints
{
    public static void MapLoadBalancerApi(this IEndpointRouteBuilder app)
    {
        var lb = app.MapGroup("/").AddEndpointFilter<LoadBalancerTokenFilter>().WithTags("load balancer");
        lb.MapGet(LoadBalancerApi.Routes, async (string? since, double? wait_seconds, RoutingTable table, IHostApplicationLifetime lifetime, CancellationToken ct) =>
        {
            if (wait_seconds is < 0 or > 120)
                throw new InvalidRequestException("wait_seconds must be between 0 and 120");
            // A long poll ends when the controller stops: the server waits for open requests before it stops the rest.
            using var pollOrStop = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
            try
            {
                return Results.Ok(await table.WaitForChangeAsync(since, TimeSpan.FromSeconds(wait_seconds ?? 0), pollOrStop.Token));
            }
            catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested && !ct.IsCancellationRequested)
            {
                return Results.Ok(table.Answer(since));
            }
        }).WithSummary("Every service's READY replicas; with ?since=REVISION waits (up to wait_seconds) for a change and answers only the services changed or removed after it.");
        lb.MapPost(LoadBalancerApi.Stats, async (LoadBalancerStats stats, ReconcileSignal signal, LoadBalancerReports reports, CancellationToken ct) =>
        {
            foreach (var service in stats.Services ?? [])
            {
                if (service.Requests < 0 || double.IsNaN(service.Requests) || double.IsInfinity(service.Requests))
                    throw new InvalidRequestException($"requests of {service.Name} must be a non-negative number");
                if (string.IsNullOrEmpty(service.Name))
                    throw new InvalidRequestException("every service's name must be given");
            }
            // Load changes reach the autoscaler at its service's next reconcile; a service scaled to zero wakes at once.
            foreach (var waking in await reports.RecordStatsAsync(stats.Services ?? [], ct))
                signal.Wake(waking);
            return Results.NoContent();
        }).WithSummary("Request counts since the previous post, per service, and where the load balancer serves each.");
        lb.MapPost(LoadBalancerApi.ReplicaFailures, async (ReplicaFailureReport report, LoadBalancerReports reports, ReconcileSignal signal, CancellationToken ct) =>
        {
            if (await reports.RecordFailureAsync(report, ct) is { } serviceId)
                signal.Wake(serviceId);
            return Results.NoContent();
        }).WithSummary("An attempt on a replica failed: it leaves rotation (NOT_READY) until its probe succeeds again.");
        lb.MapGet(ScrapeTargets.Path, (RoutingTable table) => Results.Ok(ScrapeTargets.From(table.Answer(null))))
            .WithSummary("Prometheus HTTP service discovery: every routed replica's agent (host:port) with its service, replica, version and location.");
        app.MapGet(LoadBalancerApi.Token, (ScopedTokens tokens) => Results.Ok(new LoadBalancerTokenView(tokens.LoadBalancer)))
            .AddEndpointFilter<ApiTokenFilter>().WithTags("load balancer")
            .WithSummary("The token to give a load balancer (--controller-token): it reads routes and posts stats and failures, nothing else.");
    }
}

public sealed record LoadBalancerTokenView(string Token);
