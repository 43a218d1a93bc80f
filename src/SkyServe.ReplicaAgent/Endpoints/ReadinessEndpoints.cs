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
}
