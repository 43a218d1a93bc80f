using System.Globalization;
using System.Text;
using SkyServe.LoadBalancer.Routing;

namespace SkyServe.LoadBalancer.Stats;

/// <summary>The /metrics page, in Prometheus' text exposition format.</summary>
public static class PrometheusText
{
    public static string Render(StatsRegistry stats, RouteTable table)
    {
        var text = new StringBuilder();
        Header(text, "skyserve_lb_requests_total", "counter", "Requests by service and status class.");
        foreach (var (name, s) in stats.All)
            for (var c = 1; c <= 5; c++)
                text.Append($"skyserve_lb_requests_total{{service=\"{name}\",code=\"{c}xx\"}} {s.StatusClass(c)}\n");
        Metric(text, stats, "skyserve_lb_in_flight", "gauge", "Requests being proxied now.", s => s.InFlight);
        Metric(text, stats, "skyserve_lb_retries_total", "counter", "Attempts retried on another replica.", s => s.Retries);
        Metric(text, stats, "skyserve_lb_client_disconnects_total", "counter", "Requests abandoned by the client.", s => s.ClientDisconnects);
        Metric(text, stats, "skyserve_lb_no_replica_total", "counter", "Requests answered 503 because no replica could answer (none READY, or every attempt failed before the response started).", s => s.NoReplica);
        Header(text, "skyserve_lb_ready_replicas", "gauge", "READY replicas the load balancer routes to.");
        foreach (var (name, route) in table.Routes.OrderBy(r => r.Key, StringComparer.Ordinal))
            text.Append($"skyserve_lb_ready_replicas{{service=\"{name}\"}} {route.Replicas.Count}\n");
        Header(text, "skyserve_lb_request_duration_seconds", "histogram", "Time from request to the end of the response.");
        foreach (var (name, s) in stats.All)
        {
            long cumulative = 0;
            for (var b = 0; b <= ServiceStats.Buckets.Length; b++)
            {
                cumulative += s.LatencyCount(b);
                var le = b < ServiceStats.Buckets.Length ? ServiceStats.Buckets[b].ToString(CultureInfo.InvariantCulture) : "+Inf";
                text.Append($"skyserve_lb_request_duration_seconds_bucket{{service=\"{name}\",le=\"{le}\"}} {cumulative}\n");
            }
            text.Append($"skyserve_lb_request_duration_seconds_sum{{service=\"{name}\"}} {s.LatencySumSeconds.ToString(CultureInfo.InvariantCulture)}\n");
            text.Append($"skyserve_lb_request_duration_seconds_count{{service=\"{name}\"}} {cumulative}\n");
        }
        return text.ToString();
    }

    private static void Metric(StringBuilder text, StatsRegistry stats, string name, string type, string help, Func<ServiceStats, long> value)
    {
        Header(text, name, type, help);
        foreach (var (service, s) in stats.All)
            text.Append($"{name}{{service=\"{service}\"}} {value(s)}\n");
    }

    private static void Header(StringBuilder text, string name, string type, string help) =>
        text.Append($"# HELP {name} {help}\n# TYPE {name} {type}\n");
}
