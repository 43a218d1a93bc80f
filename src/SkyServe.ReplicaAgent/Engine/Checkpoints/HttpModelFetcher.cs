using System.Buffers;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using SkyServe.ReplicaAgent.Engine.Model;

namespace SkyServe.ReplicaAgent.Engine.Checkpoints;

/// <summary>
/// Downloads a model folder served over HTTP(S). With <see cref="ModelManifest.FileName"/> it fetches the listed files and
/// checks each one's size and SHA-256; without, it follows the Hugging Face layout (config.json, tokenizer.json,
/// model.safetensors.index.json and its shards or model.safetensors, plus the optional tokenizer_config.json,
/// generation_config.json, chat_template.jinja and special_tokens_map.json) and checks sizes against Content-Length.
/// A file that fails its check, or whose transfer breaks off, is fetched again up to <see cref="Attempts"/> times.
/// </summary>
internal sealed class HttpModelFetcher(HttpClient http, Action<string> log)
{
    public const int Attempts = 3;
    private const int CopyBufferBytes = 1 << 20;

    private static readonly string[] OptionalFiles = ["tokenizer_config.json", "generation_config.json", "chat_template.jinja", "special_tokens_map.json"];

    /// <summary>What to download, and the bytes that identify this version of the model (the manifest), if any.</summary>
    public sealed record Plan(IReadOnlyList<FetchedFile> Files, byte[]? Manifest)
    {
        public long? KnownBytes => Files.All(file => file.Size is not null || file.Content is not null)
            ? Files.Sum(file => file.Size ?? file.Content!.Length)
            : null;
    }

    /// <summary>The folder's manifest, or null when it has none (404).</summary>
    public Task<byte[]?> GetManifestAsync(Uri baseUrl, CancellationToken cancellation) =>
        GetSmallAsync(new Uri(baseUrl, ModelManifest.FileName), optional: true, cancellation);

    /// <summary>What to download: the manifest's files, or the Hugging Face layout's (fetching the small files now).</summary>
    public async Task<Plan> PlanAsync(Uri baseUrl, byte[]? manifestBytes, CancellationToken cancellation)
    {
        var manifestUrl = new Uri(baseUrl, ModelManifest.FileName);
        if (manifestBytes is not null)
        {
            var manifest = ModelManifest.Parse(manifestBytes, manifestUrl.AbsoluteUri);
            if (!manifest.Files.Any(file => file.Path == CpuLlamaModel.ConfigFileName))
                throw new CheckpointException($"{manifestUrl} does not list {CpuLlamaModel.ConfigFileName}: not a model folder");
            return new Plan(manifest.Files.Select(file => new FetchedFile(file.Path, file.Size, file.Sha256)).ToList(), manifestBytes);
        }

        var configUrl = new Uri(baseUrl, CpuLlamaModel.ConfigFileName);
        var config = await GetSmallAsync(configUrl, optional: true, cancellation)
            ?? throw new CheckpointException($"{baseUrl} is not a model folder: neither {ModelManifest.FileName} nor {CpuLlamaModel.ConfigFileName} is there (HTTP 404)");
        var files = new List<FetchedFile> { new(CpuLlamaModel.ConfigFileName, null, null, config) };

        var index = await GetSmallAsync(new Uri(baseUrl, SafetensorsCheckpoint.IndexFileName), optional: true, cancellation);
        IEnumerable<string> weightFiles = [SafetensorsCheckpoint.SingleFileName];
        if (index is not null)
        {
            files.Add(new FetchedFile(SafetensorsCheckpoint.IndexFileName, null, null, index));
            weightFiles = ShardsOf(index, new Uri(baseUrl, SafetensorsCheckpoint.IndexFileName));
        }
        var tokenizer = await GetSmallAsync(new Uri(baseUrl, "tokenizer.json"), optional: false, cancellation);
        files.Add(new FetchedFile("tokenizer.json", null, null, tokenizer));
        foreach (var optional in OptionalFiles)
            if (await GetSmallAsync(new Uri(baseUrl, optional), optional: true, cancellation) is { } content)
                files.Add(new FetchedFile(optional, null, null, content));
        foreach (var weights in weightFiles)
            files.Add(new FetchedFile(weights, await ContentLengthAsync(new Uri(baseUrl, weights), cancellation), null));
        return new Plan(files, null);
    }

    /// <summary>Writes every planned file under <paramref name="directory"/>; returns the bytes transferred.</summary>
    public async Task<long> DownloadAsync(Uri baseUrl, Plan plan, string directory, CancellationToken cancellation)
    {
        long transferred = 0;
        foreach (var file in plan.Files)
        {
            var path = Path.Combine(directory, file.Path.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (file.Content is not null)
            {
                await File.WriteAllBytesAsync(path, file.Content, cancellation);
                continue;
            }
            var url = new Uri(baseUrl, file.Path);
            for (var attempt = 1; ; attempt++)
            {
                var problem = await TryDownloadAsync(url, file, path, cancellation);
                transferred += problem.Bytes;
                if (problem.Message is null)
                    break;
                File.Delete(path);
                if (attempt == Attempts)
                    throw new CheckpointException($"cannot fetch {url}: {problem.Message} ({Attempts} attempts)");
                log($"fetching {url} again: {problem.Message}");
            }
        }
        return transferred;
    }

    /// <summary>One attempt: null message when the file arrived whole and checks out.</summary>
    private async Task<(long Bytes, string? Message)> TryDownloadAsync(Uri url, FetchedFile file, string path, CancellationToken cancellation)
    {
        long bytes = 0;
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellation);
            if (!response.IsSuccessStatusCode)
            {
                var status = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                if ((int)response.StatusCode < 500)
                    throw new CheckpointException($"cannot fetch {url}: {status}");
                return (0, status);
            }
            var expected = file.Size ?? response.Content.Headers.ContentLength;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0))
            await using (var input = await response.Content.ReadAsStreamAsync(cancellation))
            {
                var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
                try
                {
                    int read;
                    while ((read = await input.ReadAsync(buffer, cancellation)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        await output.WriteAsync(buffer.AsMemory(0, read), cancellation);
                        bytes += read;
                        if (expected is { } limit && bytes > limit)
                            return (bytes, $"more than the expected {limit} bytes arrived");
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
            if (expected is { } size && bytes != size)
                return (bytes, $"{bytes} of {size} bytes arrived");
            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (file.Sha256 is { } wanted && sha256 != wanted)
                return (bytes, $"SHA-256 {sha256} does not match the manifest's {wanted}");
            return (bytes, null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !cancellation.IsCancellationRequested)
        {
            return (bytes, e.Message);
        }
    }

    /// <summary>A small file's bytes; null for a 404 when optional.</summary>
    private async Task<byte[]?> GetSmallAsync(Uri url, bool optional, CancellationToken cancellation)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await http.GetAsync(url, cancellation);
                if (response.StatusCode == HttpStatusCode.NotFound && optional)
                    return null;
                if ((int)response.StatusCode >= 500 && attempt < Attempts)
                    continue;
                if (!response.IsSuccessStatusCode)
                    throw new CheckpointException($"cannot fetch {url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                return await response.Content.ReadAsByteArrayAsync(cancellation);
            }
            catch (HttpRequestException e)
            {
                if (attempt >= Attempts)
                    throw new CheckpointException($"cannot fetch {url}: {e.Message}", e);
            }
        }
    }

    /// <summary>The size a HEAD request reports, for the cache quota; null when the server does not say.</summary>
    private async Task<long?> ContentLengthAsync(Uri url, CancellationToken cancellation)
    {
        try
        {
            using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url), cancellation);
            if (response.StatusCode == HttpStatusCode.NotFound)
                throw new CheckpointException($"cannot fetch {url}: HTTP 404 Not Found");
            return response.IsSuccessStatusCode ? response.Content.Headers.ContentLength : null;
        }
        catch (HttpRequestException e)
        {
            throw new CheckpointException($"cannot fetch {url}: {e.Message}", e);
        }
    }

    private static IEnumerable<string> ShardsOf(byte[] index, Uri origin)
    {
        try
        {
            using var document = JsonDocument.Parse(index);
            if (!document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"{origin} has no weight_map object");
            var shards = map.EnumerateObject().Select(entry => entry.Value.GetString() ?? "").Distinct(StringComparer.Ordinal).ToList();
            if (shards.Any(shard => shard.Length == 0 || shard.Contains('/') || shard.Contains('\\') || shard.StartsWith('.')))
                throw new CheckpointException($"{origin} names a shard that is not a plain file name");
            return shards;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new CheckpointException($"{origin} is not a valid index: {e.Message}", e);
        }
    }
}
