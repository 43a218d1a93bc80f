namespace SkyServe.Cloud.Emulators;

/// <summary>The objects an object-store emulator serves: buckets (containers) of keys, listed in key order, a page at a time.</summary>
public sealed class ObjectStore
{
    private readonly Dictionary<string, SortedDictionary<string, byte[]>> buckets = new(StringComparer.Ordinal);

    /// <summary>Objects a list page holds: small, so that clients' paging is exercised.</summary>
    public int PageSize { get; init; } = 2;

    public void Put(string bucket, string key, byte[] content)
    {
        lock (buckets)
        {
            if (!buckets.TryGetValue(bucket, out var objects))
                buckets[bucket] = objects = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
            objects[key] = content;
        }
    }

    public void Put(string bucket, string key, string text) => Put(bucket, key, System.Text.Encoding.UTF8.GetBytes(text));

    public bool HasBucket(string bucket)
    {
        lock (buckets)
            return buckets.ContainsKey(bucket);
    }

    public byte[]? Get(string bucket, string key)
    {
        lock (buckets)
            return buckets.TryGetValue(bucket, out var objects) && objects.TryGetValue(key, out var content) ? content : null;
    }

    /// <summary>The keys under <paramref name="prefix"/> after <paramref name="after"/> (a page), and the last key when more follow.</summary>
    public (IReadOnlyList<(string Key, long Size)> Page, string? Next) List(string bucket, string prefix, string? after)
    {
        lock (buckets)
        {
            var matching = buckets.TryGetValue(bucket, out var objects)
                ? objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal) && (after is null || string.CompareOrdinal(o.Key, after) > 0))
                    .Select(o => (o.Key, (long)o.Value.Length)).ToList()
                : [];
            var page = matching.Take(PageSize).ToList();
            return (page, matching.Count > PageSize ? page[^1].Key : null);
        }
    }
}
