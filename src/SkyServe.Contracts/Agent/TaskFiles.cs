using System.Text.Json;

namespace SkyServe.Contracts.Agent;

/// <summary>
/// What the agent puts on its machine before <c>setup</c> runs (<see cref="AgentFlags.TaskFiles"/>, as JSON): the
/// spec's <c>workdir</c>, unpacked into <c>~/sky_workdir</c> where setup and run execute, and its <c>file_mounts</c>,
/// each at its target. Uploaded sources come from the controller by digest; remote ones the agent fetches itself.
/// </summary>
public sealed record TaskFiles
{
    public TaskWorkdir? Workdir { get; init; }

    public IReadOnlyList<TaskFileMount> FileMounts { get; init; } = [];

    public bool IsEmpty => Workdir is null && FileMounts.Count == 0;

    public string ToJson() => JsonSerializer.Serialize(this, ContractJson.Options);

    /// <exception cref="JsonException">The text is not a task-files document.</exception>
    public static TaskFiles Parse(string json) => JsonSerializer.Deserialize<TaskFiles>(json, ContractJson.Options)
        ?? throw new JsonException("the task files are null");
}

/// <summary>The workdir: an uploaded archive (<see cref="Blob"/>), or a git repository at a ref.</summary>
public sealed record TaskWorkdir
{
    /// <summary><c>sha256:HEX</c> of the tar.gz the CLI uploaded; null for a git workdir.</summary>
    public string? Blob { get; init; }

    public string? GitUrl { get; init; }

    /// <summary>A branch, tag or commit; null: the repository's default branch.</summary>
    public string? GitRef { get; init; }
}

/// <summary>One file mount: an uploaded archive (<see cref="Blob"/>) or a remote <see cref="Source"/>, put at <see cref="Target"/>.</summary>
public sealed record TaskFileMount
{
    /// <summary>Absolute, or under <c>~</c> (the machine's home).</summary>
    public required string Target { get; init; }

    /// <summary><c>sha256:HEX</c> of the uploaded tar.gz of a local source; null for a remote one.</summary>
    public string? Blob { get; init; }

    /// <summary><c>https://</c>, <c>s3://</c>, <c>gs://</c>, <c>r2://</c> or an Azure blob URL; null for an uploaded one.</summary>
    public string? Source { get; init; }

    /// <summary>SkyPilot's mode: <c>COPY</c>, <c>MOUNT</c> or <c>MOUNT_CACHED</c>.</summary>
    public string Mode { get; init; } = TaskFileModes.Copy;
}

public static class TaskFileModes
{
    public const string Copy = "COPY";
    public const string Mount = "MOUNT";
    public const string MountCached = "MOUNT_CACHED";
}
