using SkyServe.ReplicaAgent.Health;
using SkyServe.ReplicaAgent.Interruption;

namespace SkyServe.ReplicaAgent.Endpoints;

/// <summary>Body of GET /health (snake_case on the wire).</summary>
public sealed record HealthResponse(AgentStatus Status, string MachineId, bool Ready, DateTimeOffset StartedAt, InterruptionNotice? Interruption)
{
    public static HealthResponse From(AgentState state) =>
        new(state.Status, state.MachineId, state.GetReadiness().IsReady, state.StartedAt, state.Interruption);
}
