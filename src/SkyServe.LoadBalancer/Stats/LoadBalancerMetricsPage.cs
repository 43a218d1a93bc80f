using SkyServe.Core.Metrics;
using SkyServe.LoadBalancer.Routing;

namespace SkyServe.LoadBalancer.Stats;

/// <summary>The /-/metrics page: the load balancer's series, through the one Prometheus text writer.</summary>
public static class LoadBalancerMetricsPage
{
    public static string Render(StatsRegistry stats, RouteTable table)
    {
        var text = new PrometheusText();
        text.Family("skyserve_lb_requests_total", "counter", "Requests by service and status class.");
        foreach (var (name, s) in stats.All)
            for (var c = 1; c <= 5; c++)
                text.Sample("skyserve_lb_requests_total", s.StatusClass(c), ("service", name), ("code", $"{c}xx"));
        PerService(text, stats, "skyserve_lb_in_flight", "gauge", "Requests being proxied now.", s => s.InFlight);
        PerService(text, stats, "skyserve_lb_retries_total", "counter", "Attempts retried on another replica.", s => s.Retries);
        PerService(text, stats, "skyserve_lb_resumptions_total", "counter",
            "Completions continued on another replica after theirs was lost mid-answer (token-level resumption).", s => s.Resumptions);
        PerService(text, stats, "skyserve_lb_client_disconnects_total", "counter", "Requests abandoned by the client.", s => s.ClientDisconnects);
        PerService(text, stats, "skyserve_lb_no_replica_total", "counter",
            "Requests answered 503 because no replica could answer (none READY, or every attempt failed before the response started).", s => s.NoReplica);
        text.Family("skyserve_lb_ready_replicas", "gauge", "READY replicas the load balancer routes to.");
        foreach (var (name, route) in table.Routes.OrderBy(r => r.Key, StringComparer.Ordinal))
            text.Sample("skyserve_lb_ready_replicas", route.Replicas.Count, ("service", name));
        text.Family("skyserve_lb_request_duration_seconds", "histogram", "Time from request to the end of the response.");
        foreach (var (name, s) in stats.All)
        {
            long cumulative = 0;
            for (var b = 0; b <= ServiceStats.Buckets.Length; b++)
            {
                cumulative += s.LatencyCount(b);
                var le = b < ServiceStats.Buckets.Length ? PrometheusText.Number(ServiceStats.Buckets[b]) : "+Inf";
                text.Sample("skyserve_lb_request_duration_seconds_bucket", cumulative, ("service", name), ("le", le));
            }
            text.Sample("skyserve_lb_request_duration_seconds_sum", s.LatencySumSeconds, ("service", name));
            text.Sample("skyserve_lb_request_duration_seconds_count", cumulative, ("service", name));
        }
        return text.ToString();
    }

    private static void PerService(PrometheusText text, StatsRegistry stats, string name, string type, string help, Func<ServiceStats, long> value)
    {
        text.Family(name, type, help);
        foreach (var (service, s) in stats.All)
            text.Sample(name, value(s), ("service", service));
    }
}
