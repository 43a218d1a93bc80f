using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using SkyServe.Inference.Model;

namespace SkyServe.Inference.Checkpoints;

/// <summary>
/// Downloads a model folder served over HTTP(S). With <see cref="ModelManifest.FileName"/> it fetches the listed files and
/// checks each one's size and SHA-256; without, it follows the Hugging Face layout (config.json, tokenizer.json,
/// model.safetensors.index.json and its shards or model.safetensors, plus the optional tokenizer_config.json,
/// generation_config.json, chat_template.jinja and special_tokens_map.json) and checks sizes against Content-Length.
/// A transfer that breaks off resumes where it stopped (a Range request, with If-Range on the first answer's ETag or
/// Last-Modified, or without a validator when the manifest's SHA-256 will check the result); a resumption that gets
/// further does not use up an attempt. A file that fails its check, or a transfer that gets nowhere, is fetched again
/// from the start, up to <see cref="Attempts"/> times. Every request carries the source's bearer token, if any
/// (<see cref="ModelSourceToken"/>).
/// </summary>
internal sealed class HttpModelFetcher(HttpClient http, Action<string> log, string? bearerToken = null)
{
    public const int Attempts = 3;

    /// <summary>Transfers of one file at most, resumptions included: a bound even for a server that never ends a file.</summary>
    public const int MaxTransfers = 100;
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
            using var partial = new PartialDownload(path);
            var fruitless = 0;
            for (var transfer = 1; ; transfer++)
            {
                var before = partial.Written;
                var problem = await TryDownloadAsync(url, file, partial, cancellation);
                transferred += problem.Bytes;
                if (problem.Message is null)
                    break;
                if (partial.Written <= before)
                    fruitless++;
                if (fruitless == Attempts || transfer == MaxTransfers)
                {
                    partial.Restart();
                    throw new CheckpointException($"cannot fetch {url}: {problem.Message} ({Attempts} attempts)");
                }
                log(partial.Written > 0
                    ? $"fetching {url} again from byte {partial.Written}: {problem.Message}"
                    : $"fetching {url} again: {problem.Message}");
            }
        }
        return transferred;
    }

    /// <summary>
    /// One transfer, resuming <paramref name="partial"/> when it holds bytes: null message when the file is whole and
    /// checks out. A file that cannot be right (too long, wrong hash, an unexpected range) is restarted from byte 0.
    /// </summary>
    private async Task<(long Bytes, string? Message)> TryDownloadAsync(Uri url, FetchedFile file, PartialDownload partial, CancellationToken cancellation)
    {
        long bytes = 0;
        try
        {
            using var request = Request(HttpMethod.Get, url);
            var resuming = partial.Written > 0 && (partial.Validator is not null || file.Sha256 is not null);
            if (partial.Written > 0 && !resuming)
                partial.Restart(); // nothing would tell a changed file from the bytes we have
            if (resuming)
            {
                request.Headers.Range = new RangeHeaderValue(partial.Written, null);
                request.Headers.IfRange = partial.Validator;
            }
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
            if (!response.IsSuccessStatusCode)
            {
                var status = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                if ((int)response.StatusCode < 500)
                    throw new CheckpointException($"cannot fetch {url}: {status}{AuthorizationHint(response.StatusCode)}");
                return (0, status);
            }

            long? total;
            if (response.StatusCode == HttpStatusCode.PartialContent)
            {
                var range = response.Content.Headers.ContentRange;
                if (!resuming || range?.From != partial.Written)
                {
                    partial.Restart();
                    return (0, $"the server sent bytes {range?.From}- instead of {partial.Written}-");
                }
                total = file.Size ?? range.Length;
            }
            else
            {
                if (partial.Written > 0)
                    partial.Restart(); // the whole file again: the server ignores ranges, or the file changed
                partial.Validator = ValidatorOf(response);
                total = file.Size ?? response.Content.Headers.ContentLength;
            }

            await using (var output = new FileStream(partial.Path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, bufferSize: 0))
            await using (var input = await response.Content.ReadAsStreamAsync(cancellation))
            {
                output.SetLength(partial.Written); // drop whatever a broken write left past the hashed bytes
                output.Seek(partial.Written, SeekOrigin.Begin);
                var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
                try
                {
                    int read;
                    while ((read = await input.ReadAsync(buffer, cancellation)) > 0)
                    {
                        await output.WriteAsync(buffer.AsMemory(0, read), cancellation);
                        partial.Append(buffer.AsSpan(0, read));
                        bytes += read;
                        if (total is { } limit && partial.Written > limit)
                        {
                            partial.Restart();
                            return (bytes, $"more than the expected {limit} bytes arrived");
                        }
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
            if (total is { } size && partial.Written != size)
                return (bytes, $"{partial.Written} of {size} bytes arrived");
            var sha256 = partial.Sha256();
            if (file.Sha256 is { } wanted && sha256 != wanted)
            {
                partial.Restart();
                return (bytes, $"SHA-256 {sha256} does not match the manifest's {wanted}");
            }
            return (bytes, null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException && !cancellation.IsCancellationRequested)
        {
            return (bytes, e.Message);
        }
    }

    /// <summary>What If-Range can name: a strong ETag, else Last-Modified; null when the server gives neither.</summary>
    private static RangeConditionHeaderValue? ValidatorOf(HttpResponseMessage response) =>
        response.Headers.ETag is { IsWeak: false } etag ? new RangeConditionHeaderValue(etag)
        : response.Content.Headers.LastModified is { } modified ? new RangeConditionHeaderValue(modified)
        : null;

    private HttpRequestMessage Request(HttpMethod method, Uri url)
    {
        var request = new HttpRequestMessage(method, url);
        if (bearerToken is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        return request;
    }

    private string AuthorizationHint(HttpStatusCode status) => status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden when bearerToken is null =>
            $" (a private or gated model: set {ModelSourceToken.Variable}, or {ModelSourceToken.HuggingFaceVariable} for huggingface.co, in the spec's envs)",
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => " (the source refused the token it was given)",
        _ => "",
    };

    /// <summary>A small file's bytes; null for a 404 when optional.</summary>
    private async Task<byte[]?> GetSmallAsync(Uri url, bool optional, CancellationToken cancellation)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var request = Request(HttpMethod.Get, url);
                using var response = await http.SendAsync(request, cancellation);
                if (response.StatusCode == HttpStatusCode.NotFound && optional)
                    return null;
                if ((int)response.StatusCode >= 500 && attempt < Attempts)
                    continue;
                if (!response.IsSuccessStatusCode)
                    throw new CheckpointException($"cannot fetch {url}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}{AuthorizationHint(response.StatusCode)}");
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
            using var request = Request(HttpMethod.Head, url);
            using var response = await http.SendAsync(request, cancellation);
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

    /// <summary>A file being downloaded: the bytes on disk so far, their running hash, and the version they came from.</summary>
    private sealed class PartialDownload(string path) : IDisposable
    {
        private IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public string Path => path;
        public long Written { get; private set; }
        public RangeConditionHeaderValue? Validator { get; set; }

        public void Append(ReadOnlySpan<byte> bytes)
        {
            hash.AppendData(bytes);
            Written += bytes.Length;
        }

        public string Sha256() => Convert.ToHexStringLower(hash.GetCurrentHash());

        /// <summary>Back to byte 0: the bytes so far are deleted and forgotten.</summary>
        public void Restart()
        {
            hash.Dispose();
            hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            Written = 0;
            Validator = null;
            File.Delete(path);
        }

        public void Dispose() => hash.Dispose();
    }
}
