using System.Text.Json.Serialization;
using SkyServe.ReplicaAgent.Health;

namespace SkyServe.ReplicaAgent.Endpoints;

/// <summary>Body of the readiness path: {"ready": true}, or false with a reason code and words.</summary>
public sealed record ReadinessResponse(
    bool Ready,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail)
{
    public static ReadinessResponse From(Readiness readiness) => new(readiness.IsReady, readiness.Reason, readiness.Detail);
}
