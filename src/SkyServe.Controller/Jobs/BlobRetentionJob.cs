using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Controller.Services;

namespace SkyServe.Controller.Jobs;

/// <summary>
/// Deletes uploaded archives that no service version names any more (their services were deleted), once they are
/// older than <see cref="UploadOptions.KeepUnreferencedFor"/>: an archive just uploaded is not named until its spec
/// is submitted a moment later.
/// </summary>
[DisallowConcurrentExecution]
public sealed class BlobRetentionJob(ControllerDb db, LeaderElection leader, IOptions<ControllerOptions> options, TimeProvider time, DatabaseOutage outage,
    ILogger<BlobRetentionJob> log) : DatabaseJob(outage)
{
    protected override async Task RunAsync(CancellationToken ct)
    {
        if (!leader.HoldsLock)
            return; // one controller runs the jobs: the one that holds the reconcile lease
        db.Fence = leader.Generation;
        var deleted = await DeleteAsync(db, time.GetUtcNow().UtcDateTime - options.Value.Uploads.KeepUnreferencedFor, ct);
        if (deleted > 0)
            log.BlobsDeleted(deleted);
    }

    /// <summary>Deletes the archives created before <paramref name="olderThan"/> that no version names; returns how many went.</summary>
    public static async Task<int> DeleteAsync(ControllerDb db, DateTime olderThan, CancellationToken ct)
    {
        var named = new HashSet<string>(StringComparer.Ordinal);
        foreach (var uploads in await db.ServiceVersions.AsNoTracking().Where(v => v.Uploads != null).Select(v => v.Uploads).ToListAsync(ct))
        {
            var parsed = SpecUploads.Parse(uploads);
            if (parsed.Workdir is { } workdir)
                named.Add(workdir);
            named.UnionWith(parsed.FileMounts.Values);
        }
        var candidates = await db.Blobs.AsNoTracking().Where(b => b.CreatedAt < olderThan).Select(b => b.Digest).ToListAsync(ct);
        var unnamed = candidates.Where(d => !named.Contains(d)).ToList();
        return unnamed.Count == 0 ? 0 : await db.Blobs.Where(b => unnamed.Contains(b.Digest)).ExecuteDeleteAsync(ct);
    }
}

internal static partial class BlobRetentionJobLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "deleted {Count} uploaded archives that no service version names any more")]
    public static partial void BlobsDeleted(this ILogger logger, int count);
}
