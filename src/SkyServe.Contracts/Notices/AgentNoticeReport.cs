namespace SkyServe.Contracts.Notices;

/// <summary>
/// Body of <see cref="AgentApi.Notices"/> (snake_case): the interruption notice a replica's agent read from its cloud's
/// metadata service. Fields are nullable because the controller validates what arrives.
/// </summary>
/// <param name="MachineId">The machine as its cloud names it (i-0abc…), not qualified by a provider set.</param>
/// <param name="Deadline">When the cloud takes the machine.</param>
/// <param name="Source">The metadata format it was read from: aws, gcp or azure.</param>
/// <param name="Kind">Null means preemption (agents that predate kinds).</param>
/// <param name="ReceivedAt">When the agent read it (its clock; the controller uses its own).</param>
public sealed record AgentNoticeReport(
    string? MachineId, DateTimeOffset? Deadline, string? Source = null, InterruptionAction? Action = null, InterruptionKind? Kind = null,
    DateTimeOffset? ReceivedAt = null);

/// <summary>The controller's answer: the replica on that machine, and whether this report changed anything.</summary>
public sealed record AgentNoticeAnswer(int ReplicaId, bool Applied);

/// <summary>
/// The answer of <see cref="AgentApi.Nodes"/>: how many nodes the replica has and, once every one of them has an address,
/// their IP addresses by rank (head first); <paramref name="Ips"/> is null while some are still unknown.
/// </summary>
public sealed record AgentNodesAnswer(int ReplicaId, int NumNodes, IReadOnlyList<string>? Ips);

/// <summary>The agent → controller endpoints and how an agent authenticates.</summary>
public static class AgentApi
{
    public const string Notices = "api/v1/agent/notices";

    /// <summary>
    /// GET: the ReplicaAgent archive a cloud machine's boot script downloads (with the machine's agent token), its
    /// SHA-256 in <c>X-Checksum-Sha256</c> (hex), <c>Digest</c> (base64) and the ETag.
    /// </summary>
    public const string Package = "api/v1/agent/package";

    /// <summary>
    /// GET (with the agent's token): the addresses of its replica's nodes, head first (<see cref="AgentNodesAnswer"/>).
    /// A multi-node replica's agents ask before setup, since a cloud gives a machine its address only once it is up.
    /// </summary>
    public const string Nodes = "api/v1/agent/nodes";

    /// <summary>
    /// GET {Blobs}/sha256:HEX: an archive uploaded with the replica's service version (its <c>workdir</c> or a local
    /// <c>file_mounts</c> source), for that replica's agent token only.
    /// </summary>
    public const string Blobs = "api/v1/agent/blobs";

    /// <summary>
    /// The environment variable that carries the agent's controller token (never a command-line flag: every user of a
    /// machine can read those). The agent removes it from its environment once read.
    /// </summary>
    public const string ControllerTokenVariable = "SKYSERVE_CONTROLLER_TOKEN";

    /// <summary>
    /// The environment variable that carries the agent's task files (what --task-files takes): a source URL may hold a
    /// SAS, which a command line would show to every user of the machine. Removed from the environment once read.
    /// </summary>
    public const string TaskFilesVariable = "SKYSERVE_TASK_FILES";
}
