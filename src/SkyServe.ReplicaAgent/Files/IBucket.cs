namespace SkyServe.ReplicaAgent.Files;

/// <summary>An object store as a file mount reads it: list the keys under a prefix, fetch one object into a file.</summary>
public interface IBucket
{
    /// <summary>How the store is named in messages (s3, gcs, azure, r2).</summary>
    string Store { get; }

    IAsyncEnumerable<string> ListAsync(string bucket, string prefix, CancellationToken ct);

    Task DownloadAsync(string bucket, string key, string destination, CancellationToken ct);
}

/// <summary>
/// Copies a bucket path to a target, as SkyPilot's COPY does: every object under the prefix lands at the same path
/// below the target folder; a prefix that names one object exactly is that object, written at the target itself.
/// Folder markers (keys ending in '/') are skipped; a key that would leave the target is refused.
/// </summary>
public static class BucketCopy
{
    /// <returns>How many objects were copied.</returns>
    public static async Task<int> CopyAsync(IBucket store, string bucket, string prefix, string target, CancellationToken ct)
    {
        var keys = new List<string>();
        await foreach (var key in store.ListAsync(bucket, prefix, ct))
            if (!key.EndsWith('/'))
                keys.Add(key);
        if (keys is [var only] && only == prefix && prefix.Length > 0)
        {
            await DownloadAsync(store, bucket, only, target, ct);
            return 1;
        }
        var folder = prefix.Length == 0 || prefix.EndsWith('/') ? prefix : prefix + "/";
        var below = keys.Where(k => k.StartsWith(folder, StringComparison.Ordinal)).ToList();
        if (below.Count == 0)
            throw new TaskFilesException($"{store.Store}://{bucket}/{prefix} holds no objects");
        Directory.CreateDirectory(target);
        foreach (var key in below)
        {
            var relative = key[folder.Length..];
            if (relative.Split('/').Any(part => part is ".." or "." or ""))
                throw new TaskFilesException($"object '{key}' of {store.Store}://{bucket} would land outside its target");
            await DownloadAsync(store, bucket, key, Path.Combine(target, relative), ct);
        }
        return below.Count;
    }

    private static async Task DownloadAsync(IBucket store, string bucket, string key, string destination, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var partial = destination + ".partial";
        await store.DownloadAsync(bucket, key, partial, ct);
        File.Move(partial, destination, overwrite: true);
    }
}
