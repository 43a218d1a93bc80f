using System.Text.Json.Serialization;
using SkyServe.ReplicaAgent.External;
using SkyServe.ReplicaAgent.Health;
using SkyServe.ReplicaAgent.Interruption;

namespace SkyServe.ReplicaAgent.Endpoints;

/// <summary>Body of GET /health (snake_case on the wire).</summary>
public sealed record HealthResponse(AgentStatus Status, string MachineId, bool Ready, DateTimeOffset StartedAt, InterruptionNotice? Interruption)
{
    /// <summary>The external engine's state, restarts and last exit; absent when the agent supervises none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EngineStatus? Engine { get; init; }

    public static HealthResponse From(AgentState state) =>
        new(state.Status, state.MachineId, state.GetReadiness().IsReady, state.StartedAt, state.Interruption) { Engine = state.Engine?.Status };
}
