using System.Collections.Concurrent;
using System.Globalization;
using SkyServe.Core.Metrics;

namespace SkyServe.Controller.Metrics;

/// <summary>
/// The controller's counters and histograms, kept in memory and incremented where things happen (launches and
/// preemptions in the reconciler, notices in <see cref="Reconcile.NoticeIntake"/>, probes in the scheduler, API
/// requests in a middleware). Per controller process: Prometheus sums them over controllers. What the database holds
/// (replicas, costs) is read at scrape time by <see cref="ControllerMetricsPage"/>.
/// </summary>
public sealed class ControllerMetrics
{
    /// <summary>Seconds; a reconcile pass is a few queries and maybe a launch call.</summary>
    public static readonly double[] ReconcileBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    /// <summary>Seconds; a probe is one HTTP request with the spec's timeout (15 s by default).</summary>
    public static readonly double[] ProbeBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15];

    private readonly ConcurrentDictionary<(string Cloud, string Market), Counter> launches = new();
    private readonly ConcurrentDictionary<(string Cloud, string Market, string Kind), Counter> failedLaunches = new();
    private readonly ConcurrentDictionary<(string Cloud, string Region, string Zone), Counter> preemptions = new();
    private readonly ConcurrentDictionary<(string Cloud, string Source), Counter> notices = new();
    private readonly ConcurrentDictionary<(string Route, string Method, int Code), Counter> requests = new();
    private readonly ConcurrentDictionary<string, Histogram> probes = new();
    private readonly Histogram reconcile = new(ReconcileBuckets);
    private readonly Counter reconcileFailures = new();

    public static string Market(bool spot) => spot ? "spot" : "on_demand";

    public void Launched(string cloud, bool spot) => launches.GetOrAdd((cloud, Market(spot)), _ => new Counter()).Add(1);

    public void LaunchFailed(string cloud, bool spot, string kind) =>
        failedLaunches.GetOrAdd((cloud, Market(spot), kind), _ => new Counter()).Add(1);

    public void Preempted(string cloud, string region, string zone) => preemptions.GetOrAdd((cloud, region, zone), _ => new Counter()).Add(1);

    /// <param name="source">"agent" (the replica's own metadata watcher) or "provider" (the cloud's event feed).</param>
    public void Notice(string cloud, string source) => notices.GetOrAdd((cloud, source), _ => new Counter()).Add(1);

    public void Reconciled(TimeSpan took, bool failed)
    {
        reconcile.Observe(took.TotalSeconds);
        if (failed)
            reconcileFailures.Add(1);
    }

    public void Probed(TimeSpan took, bool ok) => probes.GetOrAdd(ok ? "ok" : "failed", _ => new Histogram(ProbeBuckets)).Observe(took.TotalSeconds);

    public void Request(string route, string method, int code) => requests.GetOrAdd((route, method, code), _ => new Counter()).Add(1);

    public void WriteTo(PrometheusText text)
    {
        text.Family("skyserve_controller_launches_total", "counter", "Machines launched, by cloud and market.");
        foreach (var ((cloud, market), c) in launches.OrderBy(p => p.Key))
            text.Sample("skyserve_controller_launches_total", c.Value, ("cloud", cloud), ("market", market));
        text.Family("skyserve_controller_launch_failures_total", "counter", "Launches the cloud refused, by cloud, market and error kind.");
        foreach (var ((cloud, market, kind), c) in failedLaunches.OrderBy(p => p.Key))
            text.Sample("skyserve_controller_launch_failures_total", c.Value, ("cloud", cloud), ("market", market), ("kind", kind));
        text.Family("skyserve_controller_preemptions_total", "counter", "Spot machines the cloud reclaimed, by location.");
        foreach (var ((cloud, region, zone), c) in preemptions.OrderBy(p => p.Key))
            text.Sample("skyserve_controller_preemptions_total", c.Value, ("cloud", cloud), ("region", region), ("zone", zone));
        text.Family("skyserve_controller_interruption_notices_total", "counter", "Interruption notices acted on, by cloud and source.");
        foreach (var ((cloud, source), c) in notices.OrderBy(p => p.Key))
            text.Sample("skyserve_controller_interruption_notices_total", c.Value, ("cloud", cloud), ("source", source));
        text.Family("skyserve_controller_reconcile_duration_seconds", "histogram", "Time one reconcile pass of one service took.");
        reconcile.WriteTo(text, "skyserve_controller_reconcile_duration_seconds");
        text.Family("skyserve_controller_reconcile_failures_total", "counter", "Reconcile passes that ended in an error (retried with back-off).");
        text.Sample("skyserve_controller_reconcile_failures_total", reconcileFailures.Value);
        text.Family("skyserve_controller_probe_duration_seconds", "histogram", "Readiness probe latency, by result.");
        foreach (var (result, h) in probes.OrderBy(p => p.Key))
            h.WriteTo(text, "skyserve_controller_probe_duration_seconds", ("result", result));
        text.Family("skyserve_controller_api_requests_total", "counter", "HTTP requests answered, by route pattern, method and status code.");
        foreach (var ((route, method, code), c) in requests.OrderBy(p => p.Key))
            text.Sample("skyserve_controller_api_requests_total", c.Value, ("route", route), ("method", method),
                ("code", code.ToString(CultureInfo.InvariantCulture)));
    }
}
