using System.Diagnostics;
using System.Text.Json;
using SkyServe.Inference.Model;

namespace SkyServe.Inference.Checkpoints;

/// <summary>
/// The local checkpoint store (ServerlessLLM's idea): a model is fetched from its source once, converted once into the
/// packed layout, and loaded from there by every later start. Layout of the cache folder:
/// <code>
/// .lock               held briefly while entries are looked up, added or evicted
/// locks/KEY.lock      held while KEY is fetched and converted: a second process waits, then finds the entry
/// entries/KEY/        complete entries only: entry.json, config.json and tokenizer files, weights.skypack, .pin
/// tmp/                entries being built (renamed into entries/ when whole) and evicted ones being deleted
/// </code>
/// KEY is the source's name plus a hash of its identity: the folder's path and its files' sizes and times, or the URL and
/// its manifest, so a changed model gets a new entry. Agents hold a shared lock on an entry's .pin while they use it; an
/// entry is evicted (least recently used first, by .pin's time) only when its exclusive lock can be taken, so the model
/// in use is never evicted. The quota counts complete entries; a fetch needs about twice a remote model's size
/// transiently (the download and its conversion).
/// </summary>
public sealed class CheckpointCache
{
    public const string EntryFileName = "entry.json";
    private const string PinFileName = ".pin";
    private const int EntryFormat = 1;

    private readonly HttpClient http;
    private readonly Action<string> log;
    private readonly TimeProvider time;

    /// <param name="time">The clock of pin times and entries (files carry wall-clock times); default the system's.</param>
    public CheckpointCache(string root, long quotaBytes, HttpClient? http = null, Action<string>? log = null, TimeProvider? time = null)
    {
        this.time = time ?? TimeProvider.System;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quotaBytes);
        Root = Path.GetFullPath(root);
        QuotaBytes = quotaBytes;
        this.http = http ?? new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30) }) { Timeout = Timeout.InfiniteTimeSpan };
        this.log = log ?? (_ => { });
    }

    public string Root { get; }
    public long QuotaBytes { get; }

    /// <summary>The bearer token for an HTTP(S) source; by default <see cref="ModelSourceToken.FromEnvironment"/>.</summary>
    public Func<Uri, string?> BearerTokenFor { get; init; } = ModelSourceToken.FromEnvironment;

    private HttpModelFetcher Fetcher(RemoteModelFolder source) => new(http, log, BearerTokenFor(source.BaseUrl));

    /// <summary>How the stored layout keeps 16-bit tensors; <see cref="PackedDType.Source"/> loads fastest (bench/agent.sh).</summary>
    public PackedDType PackedDType { get; init; } = PackedDType.Source;

    private string EntriesDirectory => Path.Combine(Root, "entries");
    private string TempDirectory => Path.Combine(Root, "tmp");
    private string LocksDirectory => Path.Combine(Root, "locks");
    private string GlobalLockPath => Path.Combine(Root, ".lock");

    /// <summary>$SKYSERVE_MODEL_CACHE, else $XDG_CACHE_HOME/skyserve/models, else ~/.cache/skyserve/models.</summary>
    public static string DefaultRoot()
    {
        if (Environment.GetEnvironmentVariable("SKYSERVE_MODEL_CACHE") is { Length: > 0 } configured)
            return configured;
        var cacheHome = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cacheHome, "skyserve", "models");
    }

    public CachedModel Acquire(ModelSource source, CancellationToken cancellation = default) =>
        AcquireAsync(source, cancellation).GetAwaiter().GetResult();

    /// <summary>The model's cache entry, fetched and converted first on a miss; dispose it when the model is no longer served.</summary>
    public async Task<CachedModel> AcquireAsync(ModelSource source, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(EntriesDirectory);
        Directory.CreateDirectory(TempDirectory);
        Directory.CreateDirectory(LocksDirectory);

        var fetchClock = Stopwatch.StartNew();
        byte[]? manifest = null;
        string key;
        switch (source)
        {
            case LocalModelFolder local:
                key = LocalKey(local);
                break;
            case RemoteModelFolder remote:
                manifest = await Fetcher(remote).GetManifestAsync(remote.BaseUrl, cancellation);
                key = RemoteKey(remote, manifest);
                break;
            default:
                throw new ArgumentException($"unknown source {source}", nameof(source));
        }

        if (await TryUseAsync(key, cancellation) is { } hit)
            return hit;

        using (await FileLock.ExclusiveAsync(Path.Combine(LocksDirectory, key + ".lock"), cancellation,
                   () => log($"waiting for another process that is fetching {source.Text} into {Root}")))
        {
            if (await TryUseAsync(key, cancellation) is { } fetchedMeanwhile)
                return fetchedMeanwhile;
            foreach (var stale in Directory.GetDirectories(TempDirectory, key + ".*"))
                TryDelete(stale); // a fetch of this key that died: we hold its lock now

            var building = Path.Combine(TempDirectory, $"{key}.{Environment.ProcessId}.{Guid.NewGuid():N}");
            Directory.CreateDirectory(building);
            try
            {
                var (fetch, convert, downloaded) = source switch
                {
                    LocalModelFolder local => await BuildFromLocalAsync(local, building, cancellation),
                    RemoteModelFolder remote => await BuildFromRemoteAsync(remote, manifest, building, fetchClock, cancellation),
                    _ => throw new UnreachableException(),
                };
                WriteEntryFile(building, source, key);
                File.WriteAllBytes(Path.Combine(building, PinFileName), []);
                return await CommitAsync(key, building, fetch, convert, downloaded, cancellation);
            }
            finally
            {
                TryDelete(building);
            }
        }
    }

    /// <summary>Complete entries, least recently used first.</summary>
    public IReadOnlyList<CacheEntryInfo> Entries()
    {
        if (!Directory.Exists(EntriesDirectory))
            return [];
        return Directory.GetDirectories(EntriesDirectory)
            .Select(directory => new CacheEntryInfo(Path.GetFileName(directory), directory, FolderBytes(directory), LastUsed(directory)))
            .OrderBy(entry => entry.LastUsed)
            .ToList();
    }

    private async Task<CachedModel?> TryUseAsync(string key, CancellationToken cancellation)
    {
        var directory = Path.Combine(EntriesDirectory, key);
        using (await FileLock.ExclusiveAsync(GlobalLockPath, cancellation))
        {
            if (!Directory.Exists(directory))
                return null;
            var pin = FileLock.TryShared(Path.Combine(directory, PinFileName));
            if (pin is not null && Validate(directory) is null)
            {
                File.SetLastWriteTimeUtc(Path.Combine(directory, PinFileName), time.GetUtcNow().UtcDateTime);
                return new CachedModel(pin, key, directory, CacheOutcome.Hit, TimeSpan.Zero, TimeSpan.Zero, 0);
            }
            pin?.Dispose();
            // Incomplete or damaged (a disk error, someone's hands): drop it, unless another agent still serves from it.
            log($"model cache entry {directory} is damaged ({Validate(directory) ?? "no .pin"}); fetching it again");
            if (!TryEvict(directory))
                throw new CheckpointException($"model cache entry {directory} is damaged but in use by another agent; cannot replace it now");
            return null;
        }
    }

    private async Task<CachedModel> CommitAsync(string key, string building, TimeSpan fetch, TimeSpan convert, long downloaded, CancellationToken cancellation)
    {
        var size = FolderBytes(building);
        var directory = Path.Combine(EntriesDirectory, key);
        using (await FileLock.ExclusiveAsync(GlobalLockPath, cancellation))
        {
            MakeRoom(size, key);
            Directory.Move(building, directory); // rename(2): other processes see no entry or a whole one
            var pin = FileLock.TryShared(Path.Combine(directory, PinFileName))
                ?? throw new CheckpointException($"cannot lock the new cache entry {directory}");
            File.SetLastWriteTimeUtc(Path.Combine(directory, PinFileName), time.GetUtcNow().UtcDateTime);
            return new CachedModel(pin, key, directory, CacheOutcome.Miss, fetch, convert, downloaded);
        }
    }

    /// <summary>Evicts least recently used entries not in use until <paramref name="needed"/> more bytes fit the quota.</summary>
    private void MakeRoom(long needed, string keeping)
    {
        if (needed > QuotaBytes)
            throw new CheckpointException($"the model needs {Gigabytes(needed)} in the cache, more than its quota of {Gigabytes(QuotaBytes)} (--model-cache-quota-gb)");
        var entries = Entries();
        var used = entries.Sum(entry => entry.Bytes);
        foreach (var entry in entries)
        {
            if (used + needed <= QuotaBytes)
                break;
            if (entry.Key == keeping || !TryEvict(entry.Directory))
                continue;
            log($"evicted {entry.Key} ({Gigabytes(entry.Bytes)}, last used {entry.LastUsed:u}) from the model cache");
            used -= entry.Bytes;
        }
        if (used + needed > QuotaBytes)
            throw new CheckpointException(
                $"the model cache {Root} cannot make room for {Gigabytes(needed)}: {Gigabytes(used)} of its {Gigabytes(QuotaBytes)} quota is held by models in use");
        foreach (var leftover in Directory.GetDirectories(TempDirectory, "evicted-*"))
            TryDelete(leftover);
    }

    /// <summary>Removes an entry if no agent uses it: false when one holds its .pin.</summary>
    private bool TryEvict(string directory)
    {
        using (var exclusive = FileLock.TryExclusive(Path.Combine(directory, PinFileName)))
        {
            if (exclusive is null)
                return false;
            var doomed = Path.Combine(TempDirectory, $"evicted-{Path.GetFileName(directory)}-{Guid.NewGuid():N}");
            Directory.Move(directory, doomed);
            directory = doomed;
        }
        TryDelete(directory);
        return true;
    }

    /// <summary>Null when the entry is whole: its entry.json, its files at their recorded sizes, a packed file whose header matches its length.</summary>
    private static string? Validate(string directory)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, EntryFileName)));
            if (document.RootElement.GetProperty("format").GetInt32() != EntryFormat)
                return "written by another version";
            foreach (var file in document.RootElement.GetProperty("files").EnumerateObject())
            {
                var info = new FileInfo(Path.Combine(directory, file.Name));
                if (!info.Exists || info.Length != file.Value.GetInt64())
                    return $"{file.Name} is missing or has the wrong size";
            }
            using var packed = PackedCheckpoint.Open(Path.Combine(directory, PackedCheckpointFormat.FileName));
            return null;
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException or KeyNotFoundException or CheckpointException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    private async Task<(TimeSpan Fetch, TimeSpan Convert, long Downloaded)> BuildFromLocalAsync(LocalModelFolder source, string building, CancellationToken cancellation)
    {
        var estimate = Directory.GetFiles(source.Directory).Where(ModelManifest.IsModelFile).Sum(file => new FileInfo(file).Length);
        using (await FileLock.ExclusiveAsync(GlobalLockPath, cancellation))
            MakeRoom(estimate, keeping: ""); // early: a model that cannot fit fails before its conversion
        var clock = Stopwatch.StartNew();
        await Task.Run(() => Convert(source.Directory, building), cancellation);
        return (TimeSpan.Zero, clock.Elapsed, 0);
    }

    private async Task<(TimeSpan Fetch, TimeSpan Convert, long Downloaded)> BuildFromRemoteAsync(
        RemoteModelFolder source, byte[]? manifest, string building, Stopwatch fetchClock, CancellationToken cancellation)
    {
        var fetcher = Fetcher(source);
        var plan = await fetcher.PlanAsync(source.BaseUrl, manifest, cancellation);
        if (plan.KnownBytes is { } known)
            using (await FileLock.ExclusiveAsync(GlobalLockPath, cancellation))
                MakeRoom(known, keeping: ""); // early: a model that cannot fit fails before its download

        var raw = Path.Combine(building, "download");
        Directory.CreateDirectory(raw);
        var downloaded = await fetcher.DownloadAsync(source.BaseUrl, plan, raw, cancellation);
        var fetch = fetchClock.Elapsed;
        var clock = Stopwatch.StartNew();
        await Task.Run(() => Convert(raw, building), cancellation);
        TryDelete(raw);
        if (Directory.Exists(raw))
            throw new CheckpointException($"cannot remove the downloaded files in {raw}");
        return (fetch, clock.Elapsed, downloaded);
    }

    /// <summary>Copies the small files (top-level *.json except the safetensors index, *.jinja) and writes the packed weights.</summary>
    private void Convert(string sourceDirectory, string building)
    {
        if (!File.Exists(Path.Combine(sourceDirectory, CpuLlamaModel.ConfigFileName)))
            throw new CheckpointException($"{sourceDirectory} has no {CpuLlamaModel.ConfigFileName}: not a model folder");
        foreach (var file in Directory.GetFiles(sourceDirectory))
        {
            var name = Path.GetFileName(file);
            if (ModelManifest.IsModelFile(file) && !name.EndsWith(".safetensors", StringComparison.Ordinal) && name != SafetensorsCheckpoint.IndexFileName)
                File.Copy(file, Path.Combine(building, name));
        }
        using var checkpoint = SafetensorsCheckpoint.Open(sourceDirectory);
        PackedCheckpointWriter.Write(checkpoint, Path.Combine(building, PackedCheckpointFormat.FileName), PackedDType);
    }

    private void WriteEntryFile(string building, ModelSource source, string key)
    {
        var files = Directory.GetFiles(building).ToDictionary(file => Path.GetFileName(file), file => new FileInfo(file).Length);
        File.WriteAllBytes(Path.Combine(building, EntryFileName), JsonSerializer.SerializeToUtf8Bytes(new
        {
            format = EntryFormat,
            key,
            source = source.Text,
            created = time.GetUtcNow().UtcDateTime,
            files,
        }, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>The folder's path and its model files' names, sizes and modification times: editing the model makes a new key.</summary>
    private static string LocalKey(LocalModelFolder source)
    {
        if (!Directory.Exists(source.Directory))
            throw new CheckpointException($"model folder {source.Directory} does not exist");
        var files = Directory.GetFiles(source.Directory)
            .Where(ModelManifest.IsModelFile)
            .Order(StringComparer.Ordinal)
            .Select(file => new FileInfo(file))
            .Select(info => $"{info.Name}\t{info.Length}\t{info.LastWriteTimeUtc.Ticks}");
        return ModelSource.Key(source.DefaultName, "local\n" + source.Directory + "\n" + string.Join('\n', files));
    }

    /// <summary>The URL and its manifest when there is one; without one, the URL alone (a changed model needs a new URL).</summary>
    private static string RemoteKey(RemoteModelFolder source, byte[]? manifest) =>
        ModelSource.Key(source.DefaultName, "remote\n" + source.BaseUrl.AbsoluteUri + "\n"
            + (manifest is null ? "" : System.Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(manifest))));

    private static DateTime LastUsed(string directory)
    {
        var pin = new FileInfo(Path.Combine(directory, PinFileName));
        return pin.Exists ? pin.LastWriteTimeUtc : DateTime.MinValue;
    }

    private static long FolderBytes(string directory) =>
        Directory.Exists(directory) ? new DirectoryInfo(directory).EnumerateFiles("*", SearchOption.AllDirectories).Sum(file => file.Length) : 0;

    internal static string Gigabytes(long bytes) => bytes >= 1e9 ? $"{bytes / 1e9:0.##} GB" : $"{bytes / 1e6:0.##} MB";

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>One complete entry of the cache.</summary>
public sealed record CacheEntryInfo(string Key, string Directory, long Bytes, DateTime LastUsed);
