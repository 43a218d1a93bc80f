using SkyServe.ReplicaAgent.Health;

namespace SkyServe.ReplicaAgent.Endpoints;

public static class HealthEndpoints
{
    public const string Path = "/health";

    /// <summary>GET /health: always 200 while the process serves; the body tells ok, interrupted or draining.</summary>
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapMethods(Path, [HttpMethods.Get, HttpMethods.Head], (AgentState state) => TypedResults.Ok(HealthResponse.From(state)));
        return app;
    }

    /// <summary>
    /// /health when it is also the spec's readiness path (vLLM's and TGI's own is /health): the same body, so the
    /// controller still reads notices from it, but 200 only when the replica is ready — the agent is, and, for an
    /// external engine, the engine answers 200 on its own /health (<paramref name="engineReady"/>) — else 503.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthAsReadiness(this IEndpointRouteBuilder app, Func<HttpContext, Task<bool>>? engineReady)
    {
        app.MapMethods(Path, [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post], async (HttpContext http, AgentState state) =>
        {
            var health = HealthResponse.From(state);
            var ready = health.Ready && (engineReady is null || await engineReady(http));
            return TypedResults.Json(health with { Ready = ready }, statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }

    public static bool IsHealthPath(string path) => string.Equals(path.TrimEnd('/'), Path, StringComparison.OrdinalIgnoreCase);
}
