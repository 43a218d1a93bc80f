using SkyServe.Contracts.Routing;

namespace SkyServe.Controller.Routing;

/// <summary>
/// Prometheus' HTTP service discovery (<c>http_sd_configs</c>) of the replica agents: GET /api/v1/lb/scrape-targets
/// answers each routed (READY) replica's agent as a target group, <c>host:port</c> of its URL labelled with its service,
/// replica id, version, location and spot or on-demand, so that Prometheus scrapes every agent's /metrics wherever the
/// replica runs (local runtime, a cloud, a Docker host). It takes the load balancer's token, which reads the same
/// addresses from the routes already.
/// </summary>
public static class ScrapeTargets
{
    public const string Path = "api/v1/lb/scrape-targets";

    public static IReadOnlyList<ScrapeTargetGroup> From(RoutesView routes) =>
    [
        .. from service in routes.Services
           from replica in service.ReadyReplicas
           let url = Uri.TryCreate(replica.Url, UriKind.Absolute, out var parsed) ? parsed : null
           where url is not null
           select new ScrapeTargetGroup([url.Authority], new Dictionary<string, string>
           {
               ["__scheme__"] = url.Scheme,
               ["service"] = service.Name,
               ["replica_id"] = replica.ReplicaId.ToString(System.Globalization.CultureInfo.InvariantCulture),
               ["version"] = replica.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
               ["location"] = replica.Location,
               ["spot"] = replica.IsSpot ? "true" : "false",
           }),
    ];
}

/// <summary>One group of Prometheus' HTTP service discovery format: <c>{"targets": [...], "labels": {...}}</c>.</summary>
public sealed record ScrapeTargetGroup(IReadOnlyList<string> Targets, IReadOnlyDictionary<string, string> Labels);
