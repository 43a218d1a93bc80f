using SkyServe.ReplicaAgent.Health;

namespace SkyServe.ReplicaAgent.Endpoints;

public static class ReadinessEndpoints
{
    /// <summary>
    /// The readiness probe: 200 when the replica should get traffic, 503 otherwise. POST too, because a
    /// spec's probe may POST a request body (which is ignored here).
    /// </summary>
    public static IEndpointRouteBuilder MapReadiness(this IEndpointRouteBuilder app, string path)
    {
        app.MapMethods(path, [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post], (AgentState state) =>
        {
            var readiness = state.GetReadiness();
            return TypedResults.Json(ReadinessResponse.From(readiness),
                statusCode: readiness.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }

    /// <summary>
    /// For a readiness path that the engine itself serves (e.g. /v1/models): while the agent is not ready
    /// (loading, interrupted, draining) it answers 503 as <see cref="MapReadiness"/> would; once ready, the
    /// engine's own endpoint answers.
    /// </summary>
    public static IApplicationBuilder UseReadinessGate(this IApplicationBuilder app, string path)
    {
        var gated = new PathString(path.TrimEnd('/'));
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.Equals(gated, StringComparison.OrdinalIgnoreCase)
                || context.Request.Path.Equals(gated.Add("/"), StringComparison.OrdinalIgnoreCase))
            {
                var readiness = context.RequestServices.GetRequiredService<AgentState>().GetReadiness();
                if (!readiness.IsReady)
                {
                    context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                    await context.Response.WriteAsJsonAsync(ReadinessResponse.From(readiness));
                    return;
                }
            }
            await next(context);
        });
        return app;
    }
}
