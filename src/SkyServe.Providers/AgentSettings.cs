namespace SkyServe.Providers;

/// <summary>What the ReplicaAgent on a new machine is told: where to serve and how to report readiness.</summary>
public sealed record AgentSettings
{
    public string ReadinessPath { get; init; } = "/ready";
    /// <summary>Pretend model-loading time before readiness answers 200 (local runtime only).</summary>
    public TimeSpan ReadyDelay { get; init; } = TimeSpan.Zero;
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the agent reports an interruption notice at once (its --controller-url); null: only its /health tells.</summary>
    public string? ControllerUrl { get; init; }

    /// <summary>The agent's token for that report, good for this replica only (passed as SKYSERVE_CONTROLLER_TOKEN, never on the command line).</summary>
    public string? ControllerToken { get; init; }
}
