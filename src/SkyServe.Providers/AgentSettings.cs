using SkyServe.Contracts.Agent;

namespace SkyServe.Providers;

/// <summary>
/// What the ReplicaAgent on a new machine is told: where to serve and how to report readiness, and what to serve —
/// the built-in engine with a model (<see cref="Model"/>), or an external engine (<see cref="Run"/>, after
/// <see cref="Setup"/>), or neither (a bare agent that echoes). <see cref="Environment"/> is the spec's <c>envs</c>.
/// </summary>
public sealed record AgentSettings
{
    public string ReadinessPath { get; init; } = "/ready";
    /// <summary>Pretend model-loading time before readiness answers 200 (local runtime only).</summary>
    public TimeSpan ReadyDelay { get; init; } = TimeSpan.Zero;
    /// <summary>The spec's <c>envs</c>: the agent's environment, and so that of setup and run.</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the agent reports an interruption notice at once (its --controller-url); null: only its /health tells.</summary>
    public string? ControllerUrl { get; init; }

    /// <summary>The agent's token for that report, good for this replica only (passed as SKYSERVE_CONTROLLER_TOKEN, never on the command line).</summary>
    public string? ControllerToken { get; init; }

    /// <summary>
    /// The ReplicaAgent archive the controller serves its machines, with its digest; a cloud provider's own configured
    /// URL overrides it (<see cref="AgentPackage.Choose"/>). Null: the controller has none to offer.
    /// </summary>
    public AgentPackage? Package { get; init; }

    /// <summary>The spec's <c>model:</c> for the built-in engine; null without one.</summary>
    public AgentModel? Model { get; init; }

    /// <summary>The spec's <c>setup:</c>, run once on the machine before <see cref="Run"/>.</summary>
    public string? Setup { get; init; }

    /// <summary>The spec's <c>run:</c>: the external engine the agent supervises and forwards to; null without one.</summary>
    public string? Run { get; init; }

    /// <summary>
    /// The port the spec names for the replica (<c>service.ports</c> or <c>resources.ports</c>), which the external
    /// engine is told to listen on; null: the agent picks a free one. A provider whose machines share a host (the
    /// local runtime) leaves the choice to the agent.
    /// </summary>
    public int? EnginePort { get; init; }

    /// <summary>
    /// The spec's <c>workdir</c> and <c>file_mounts</c> as the agent fetches them before <c>setup</c> (uploaded archives by
    /// digest, remote sources by URL); empty without them.
    /// </summary>
    public TaskFiles TaskFiles { get; init; } = new();

    /// <summary>The machine's place in its replica (rank, node count) and SkyPilot's variables for setup and run.</summary>
    public AgentNodes Nodes { get; init; } = new();
}

/// <summary>
/// A replica of <see cref="Count"/> machines (the spec's <c>num_nodes</c>): this one's <see cref="Rank"/> (0: the head,
/// whose endpoint serves) and the SkyPilot variables the controller knows at launch. The node addresses are not among
/// them: a cloud gives a machine its address only once it is up, so an agent of a multi-node replica asks the
/// controller for them (<c>--num-nodes</c>) before it runs setup.
/// </summary>
public sealed record AgentNodes
{
    public int Rank { get; init; }

    public int Count { get; init; } = 1;

    /// <summary>SKYPILOT_NODE_RANK, SKYPILOT_NUM_NODES, SKYPILOT_SERVE_REPLICA_ID, ... (Contracts' <c>SkyPilotVariables</c>).</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();
}

/// <summary>The built-in engine's model, as the spec gives it.</summary>
public sealed record AgentModel
{
    /// <summary>An HF-layout folder, as written in the spec (a provider resolves a relative one), or a URL or model id.</summary>
    public required string Path { get; init; }

    /// <summary>The model id clients name: the spec's <c>model.path</c> as written, as vLLM does.</summary>
    public required string ServedName { get; init; }

    /// <summary><c>cpu</c> or <c>cuda</c>.</summary>
    public string Engine { get; init; } = "cpu";

    public int MaxBatchSize { get; init; } = 32;
}
