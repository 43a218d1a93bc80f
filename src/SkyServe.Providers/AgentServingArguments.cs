using SkyServe.Contracts.Agent;
using SkyServe.Contracts.Notices;
using System.Globalization;

namespace SkyServe.Providers;

/// <summary>
/// The part of the ReplicaAgent's command line that says what it serves and whom it tells of a notice, from the
/// launch's <see cref="AgentSettings"/>: the built-in engine with the spec's <c>model:</c>, or the spec's <c>run:</c>
/// after its <c>setup:</c>, and the controller's URL. The local runtime and the cloud boot scripts all use it; where
/// the agent listens and which metadata endpoint it watches differ per provider. The controller token never goes on a
/// command line (every user of a machine can read those): it travels as <see cref="AgentApi.ControllerTokenVariable"/>.
/// </summary>
public static class AgentServingArguments
{
    /// <param name="modelPath">The spec's model as this machine opens it (a provider resolves a relative path its own way); unused without a model.</param>
    /// <param name="enginePort">The external engine's port: 0 for a free one; null: the spec's (<see cref="AgentSettings.EnginePort"/>), else a free one.</param>
    /// <param name="workDirectory">Where <c>setup:</c> and <c>run:</c> execute.</param>
    public static IReadOnlyList<string> For(AgentSettings agent, string? modelPath, int? enginePort, string workDirectory)
    {
        var args = new List<string>();
        if (agent.Model is { } model)
        {
            args.AddRange([AgentFlags.Model, ModelPathInTaskFiles(agent) ?? modelPath ?? model.Path, AgentFlags.ServedModelName, model.ServedName,
                AgentFlags.MaxBatchSize, Text(model.MaxBatchSize), AgentFlags.Engine, model.Engine]);
        }
        else if (agent.Run is { } run)
        {
            args.AddRange([AgentFlags.Run, run]);
            if (agent.Setup is { } setup)
                args.AddRange([AgentFlags.Setup, setup]);
            args.AddRange([AgentFlags.EnginePort, Text(enginePort ?? agent.EnginePort ?? 0), AgentFlags.Workdir, workDirectory]);
            if (agent.Nodes.Count > 1)
                args.AddRange([AgentFlags.NumNodes, Text(agent.Nodes.Count)]);
        }
        if (agent.ControllerUrl is { } controller)
            args.AddRange([AgentFlags.ControllerUrl, controller]);
        return args;
    }

    /// <summary>
    /// The agent's environment: the spec's <c>envs</c>, SkyPilot's variables, the controller token when there is one, and the
    /// workdir and file mounts to put in place before setup or the model (<see cref="AgentApi.TaskFilesVariable"/>; a source URL may hold a SAS).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment(AgentSettings agent)
    {
        var environment = new Dictionary<string, string>(agent.Environment);
        foreach (var (name, value) in agent.Nodes.Variables)
            environment[name] = value; // SkyPilot's own, as there: an env of the same name does not hide them
        if (agent.ControllerToken is { } token)
            environment[AgentApi.ControllerTokenVariable] = token;
        if ((agent.Run is not null || agent.Model is not null) && !agent.TaskFiles.IsEmpty)
            environment[AgentApi.TaskFilesVariable] = agent.TaskFiles.ToJson();
        return environment;
    }

    /// <summary>
    /// The model path as written when the machine's agent resolves it: a relative one against the workdir it puts in
    /// place, <c>~/...</c> against the machine's home, where the task files go. Null: the provider's own resolution.
    /// </summary>
    public static string? ModelPathInTaskFiles(AgentSettings agent)
    {
        if (agent.Model is not { } model || agent.TaskFiles.IsEmpty || model.Path.Contains("://", StringComparison.Ordinal) || Path.IsPathRooted(model.Path))
            return null;
        var inHome = model.Path == "~" || model.Path.StartsWith("~/", StringComparison.Ordinal);
        return inHome || agent.TaskFiles.Workdir is not null ? model.Path : null;
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
