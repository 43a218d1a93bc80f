namespace SkyServe.Core.Spec;

/// <summary>
/// The spec's <c>workdir</c>: a local directory the CLI uploads with the spec (<see cref="LocalPath"/>, as written,
/// relative to where the CLI runs), or a git repository each replica fetches (<see cref="GitUrl"/> at <see cref="GitRef"/>).
/// Replicas run <c>setup</c> and <c>run</c> inside it, as SkyPilot does with <c>~/sky_workdir</c>.
/// </summary>
public sealed record WorkdirSpec
{
    public string? LocalPath { get; init; }

    public string? GitUrl { get; init; }

    /// <summary>A branch, tag or commit; null: the repository's default branch.</summary>
    public string? GitRef { get; init; }

    public bool IsGit => GitUrl is not null;
}
