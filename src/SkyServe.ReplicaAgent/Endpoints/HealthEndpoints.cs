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
}
