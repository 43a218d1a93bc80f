using SkyServe.Core.Metrics;
using System.Collections.Concurrent;
using SkyServe.ReplicaAgent.Health;
using SkyServe.ReplicaAgent.Hosting;

namespace SkyServe.ReplicaAgent.Metrics;

/// <summary>
/// Everything GET /metrics answers: the agent's own state and HTTP traffic (with or without a model), then the
/// engine's metrics when a model is served.
/// </summary>
public sealed class AgentMetrics(AgentState state, AgentOptions options, EngineMetrics? engine)
{
    private readonly ConcurrentDictionary<(string Route, string Method, int Code), Counter> requests = new();

    public EngineMetrics? Engine => engine;

    /// <summary>Counts one answered request; the route is the endpoint's pattern, so the label set stays small.</summary>
    public void CountRequest(string route, string method, int status) =>
        requests.GetOrAdd((route, method, status), _ => new Counter()).Add(1);

    public string Render()
    {
        var text = new PrometheusText();
        text.Family("skyserve_agent_info", "gauge", "Always 1; the labels say which machine and model this agent serves.");
        text.Sample("skyserve_agent_info", 1, ("machine_id", state.MachineId), ("engine", engine is null ? "none" : "cpu"),
            ("model_name", options.ServedModelName ?? (options.ModelDirectory is { } dir ? Path.GetFileName(Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar)) : "")));
        text.Family("skyserve_agent_start_time_seconds", "gauge", "When the agent started, in Unix seconds.");
        text.Sample("skyserve_agent_start_time_seconds", state.StartedAt.ToUnixTimeMilliseconds() / 1000.0);
        var readiness = state.GetReadiness();
        text.Family("skyserve_agent_ready", "gauge", "1 while the readiness path answers 200.");
        text.Sample("skyserve_agent_ready", readiness.IsReady ? 1 : 0);
        text.Family("skyserve_agent_draining", "gauge", "1 once the agent is shutting down.");
        text.Sample("skyserve_agent_draining", state.IsDraining ? 1 : 0);
        var notice = state.Interruption;
        text.Family("skyserve_agent_interrupted", "gauge", "1 once an interruption notice arrived from the metadata service.");
        text.Sample("skyserve_agent_interrupted", notice is null ? 0 : 1);
        text.Family("skyserve_agent_interruption_deadline_seconds", "gauge", "When the cloud takes the machine, in Unix seconds (only under a notice).");
        if (notice is not null)
            text.Sample("skyserve_agent_interruption_deadline_seconds", notice.Time.ToUnixTimeMilliseconds() / 1000.0,
                ("source", notice.Source), ("kind", notice.Kind.ToString().ToLowerInvariant()));
        text.Family("skyserve_agent_http_requests_total", "counter", "HTTP requests answered, by route pattern, method and status code.");
        foreach (var ((route, method, code), counter) in requests.OrderBy(r => r.Key.Route).ThenBy(r => r.Key.Method).ThenBy(r => r.Key.Code))
            text.Sample("skyserve_agent_http_requests_total", counter.Value, ("route", route), ("method", method), ("code", code.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        engine?.WriteTo(text);
        return text.ToString();
    }
}
