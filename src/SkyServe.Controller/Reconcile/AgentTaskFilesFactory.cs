using SkyServe.Contracts.Agent;
using SkyServe.Controller.Services;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Reconcile;

/// <summary>
/// What a replica's agent fetches before setup (<see cref="TaskFiles"/>), from its version's spec and uploads: the
/// workdir's archive or git repository, and each file mount's archive (a local source) or remote source.
/// </summary>
public static class AgentTaskFilesFactory
{
    public static TaskFiles For(ServiceSpec spec, SpecUploads uploads) => new()
    {
        Workdir = spec.Workdir switch
        {
            { IsGit: true } git => new TaskWorkdir { GitUrl = git.GitUrl, GitRef = git.GitRef },
            { LocalPath: not null } => new TaskWorkdir { Blob = uploads.Workdir },
            _ => null,
        },
        FileMounts = spec.FileMounts.Select(mount => new TaskFileMount
        {
            Target = mount.Target,
            Blob = mount.SourceKind == FileMountSourceKind.Local ? uploads.FileMounts.GetValueOrDefault(mount.Target) : null,
            Source = mount.SourceKind == FileMountSourceKind.Local ? null : RemoteSource(mount),
            Mode = mount.Mode.ToSpecName(),
        }).ToList(),
    };

    /// <summary>
    /// The source as written, or for a storage entry that only names its bucket, that bucket's URI (<c>s3://NAME</c>,
    /// ...): the agent copies an existing bucket; creating one is not done here.
    /// </summary>
    private static string? RemoteSource(FileMountSpec mount) => mount.Source ?? (mount.BucketName is { } bucket
        ? (mount.Store?.ToLowerInvariant() ?? "s3") switch
        {
            "gcs" => $"gs://{bucket}",
            "r2" => $"r2://{bucket}",
            _ => $"s3://{bucket}",
        }
        : null);
}
