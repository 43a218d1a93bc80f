using SkyServe.Core.Spec;
using SkyServe.Providers;

namespace SkyServe.Controller.Reconcile;

/// <summary>What a replica's agent is told, from its version's spec: readiness path, envs, and the model or the run/setup commands.</summary>
public static class AgentSettingsFactory
{
    public static AgentSettings For(ServiceSpec spec, ReconcileOptions options) => new()
    {
        ReadinessPath = spec.Service.ReadinessProbe.Path,
        // The pretend loading time stands in for a model only where there is none to load.
        ReadyDelay = spec.Model is null && spec.Run is null ? options.LocalReadyDelay : TimeSpan.Zero,
        // Secrets reach the replica like envs (SkyPilot does the same); only showing them differs.
        Environment = spec.Envs.Concat(spec.Secrets).ToDictionary(entry => entry.Key, entry => entry.Value),
        Model = spec.Model is { } model
            ? new AgentModel
            {
                Path = model.Path,
                ServedName = model.Path.Length > 1 ? model.Path.TrimEnd('/') : model.Path,
                Engine = model.Engine.ToSpecName(),
                MaxBatchSize = model.MaxBatchSize,
            }
            : null,
        Setup = spec.Run is null ? null : spec.Setup,
        Run = spec.Run,
        EnginePort = spec.Run is null ? null : NamedPort(spec),
    };

    /// <summary><c>service.ports</c>, else the single port of <c>resources.ports</c>; null when the spec names none.</summary>
    private static int? NamedPort(ServiceSpec spec) =>
        spec.Service.Ports ?? (spec.Resources.Ports is [{ IsSinglePort: true } only] ? only.Start : null);
}
