using Microsoft.AspNetCore.Http;
using SkyServe.LoadBalancer.Routing;

namespace SkyServe.LoadBalancer.Forwarding;

/// <summary>
/// Which request paths the load balancer forwards to a service's replicas: only the service's own API. Each replica
/// runs the SkyServe agent, whose management paths (engine log, health with pid/port/log path, metrics, readiness)
/// are for the controller, which reaches replicas directly, never through here. A built-in-engine service serves
/// only the OpenAI API (the agent answers anything else itself, with an echo); an external engine (<c>run:</c>)
/// serves paths we cannot list, so there everything but the agent's management paths goes through.
/// </summary>
public static class ForwardedPaths
{
    /// <summary>What the agent serves itself beside the engine (kept in step with SkyServe.ReplicaAgent's endpoints).</summary>
    private static readonly string[] AgentManagement = ["/health", "/metrics", "/logs", "/ready"];

    /// <summary>The built-in engine's API (SkyServe.ReplicaAgent's OpenAiEndpoints).</summary>
    private static readonly string[] OpenAi = ["/v1/models", "/v1/completions", "/v1/chat/completions"];

    public static bool Allows(ServiceRoute route, PathString path)
    {
        var normalized = Normalize(path.Value);
        if (AgentManagement.Any(p => IsAtOrUnder(normalized, p)))
            return false;
        return !route.BuiltInEngine || OpenAi.Contains(normalized, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Compared the way the agent's router matches: case-insensitive, trailing slash ignored; empty segments are
    /// dropped too ("//logs"), so that no spelling of a management path slips through.
    /// </summary>
    private static string Normalize(string? path) =>
        "/" + string.Join('/', (path ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries));

    private static bool IsAtOrUnder(string path, string prefix) =>
        path.Equals(prefix, StringComparison.OrdinalIgnoreCase)
        || path.StartsWith(prefix + "/", StringComparison.OrdinalIgnoreCase);
}
