namespace SkyServe.ReplicaAgent.Endpoints;

/// <summary>Body of the echo: the request as the agent saw it. Query is the raw query string, "?" included.</summary>
public sealed record EchoResponse(
    string MachineId, string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body);
