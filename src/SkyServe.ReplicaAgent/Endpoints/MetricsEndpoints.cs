using SkyServe.Core.Metrics;
using SkyServe.ReplicaAgent.Metrics;

namespace SkyServe.ReplicaAgent.Endpoints;

public static class MetricsEndpoints
{
    public const string Path = "/metrics";

    /// <summary>GET /metrics in Prometheus' text format 0.0.4, and a count of every request the agent answers.</summary>
    public static WebApplication MapMetrics(this WebApplication app)
    {
        var metrics = app.Services.GetRequiredService<AgentMetrics>();
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            finally
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(unmatched)";
                metrics.CountRequest(route, context.Request.Method, context.Response.StatusCode);
            }
        });
        app.MapGet(Path, () => Results.Text(metrics.Render(), PrometheusText.ContentType));
        return app;
    }
}
