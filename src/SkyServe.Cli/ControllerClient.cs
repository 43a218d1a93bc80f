using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkyServe.Cli;

/// <summary>The controller's REST API as the CLI uses it. Failures become <see cref="CliException"/> with the server's message.</summary>
public sealed class ControllerClient(CliConfig config) : IDisposable
{
    /// <summary>
    /// Not for users: the page size a paged list is asked for (?limit=), so that tests walk many pages with few
    /// services. Unset, the controller's default applies.
    /// </summary>
    public const string PageSizeVariable = "SKYSERVE_PAGE_SIZE";

    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public async Task<JsonNode> GetAsync(string path, CancellationToken ct) => (await SendAsync(HttpMethod.Get, path, null, ct)).Body;

    /// <summary>Every page of a paged list (GET /api/v1/services), following each answer's Link rel="next", as one array.</summary>
    /// <param name="path">The list's path, without a query.</param>
    public async Task<JsonArray> GetAllPagesAsync(string path, CancellationToken ct)
    {
        var all = new JsonArray();
        var next = int.TryParse(Environment.GetEnvironmentVariable(PageSizeVariable), out var size) && size > 0 ? $"{path}?limit={size}" : path;
        while (true)
        {
            var (body, link) = await SendAsync(HttpMethod.Get, next, null, ct);
            var page = body as JsonArray ?? throw new CliException($"the controller's answer to GET {next} is not a list");
            foreach (var item in page.ToList())
            {
                page.Remove(item); // a node belongs to one array at a time
                all.Add(item);
            }
            if (link is null)
                return all;
            // Only the link's query (limit and cursor) is taken: behind a proxy that rewrites Host its address may be
            // an inside name, and the token goes nowhere but the configured controller.
            var following = path + link.Query;
            if (following == next)
                throw new CliException($"the controller's next page of {path} is the page it just gave ({following})");
            next = following;
        }
    }

    public async Task<JsonNode> DeleteAsync(string path, CancellationToken ct) => (await SendAsync(HttpMethod.Delete, path, null, ct)).Body;
    public async Task<JsonNode> PostSpecAsync(string path, string spec, CancellationToken ct) => await PostSpecAsync(path, new SpecSubmissionRequest(spec), ct);
    public async Task<JsonNode> PutSpecAsync(string path, string spec, CancellationToken ct) => await PutSpecAsync(path, new SpecSubmissionRequest(spec), ct);
    public async Task<JsonNode> PostSpecAsync(string path, SpecSubmissionRequest submission, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Post, path, submission.ToContent(), ct)).Body;
    public async Task<JsonNode> PutSpecAsync(string path, SpecSubmissionRequest submission, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Put, path, submission.ToContent(), ct)).Body;

    /// <summary>Whether the controller has the archive with this digest (HEAD /api/v1/blobs/DIGEST).</summary>
    public async Task<bool> BlobExistsAsync(string digest, CancellationToken ct)
    {
        using var request = NewRequest(HttpMethod.Head, $"/api/v1/blobs/{digest}");
        using var response = await SendRawAsync(request, ct);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound)
            return false;
        if (!response.IsSuccessStatusCode)
            throw new CliException(DescribeError(response, ""));
        return true;
    }

    /// <summary>Uploads an archive under its digest (PUT /api/v1/blobs/DIGEST), streamed from the file.</summary>
    public async Task PutBlobAsync(string digest, string file, CancellationToken ct)
    {
        using var uploading = new HttpClient { Timeout = TimeSpan.FromMinutes(30) }; // a large archive on a slow link
        using var request = NewRequest(HttpMethod.Put, $"/api/v1/blobs/{digest}");
        request.Headers.ExpectContinue = true; // a refusal (too large) comes before the archive is sent
        await using var body = File.OpenRead(file);
        request.Content = new StreamContent(body);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
        request.Content.Headers.ContentLength = body.Length;
        using (var response = await SendRawAsync(request, ct, uploading))
        {
            if (!response.IsSuccessStatusCode)
                throw new CliException(DescribeError(response, await response.Content.ReadAsStringAsync(ct)));
        }
    }

    /// <summary>Sends with <paramref name="client"/> (the usual one by default); an unreachable controller is a CLI error.</summary>
    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken ct, HttpClient? client = null,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        try
        {
            return await (client ?? http).SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
    }

    /// <summary>Sends a request whose answer is read as it arrives: its headers once they are in, or the error as a CLI error.</summary>
    private async Task<HttpResponseMessage> OpenStreamAsync(HttpClient streaming, HttpRequestMessage request, CancellationToken ct)
    {
        var response = await SendRawAsync(request, ct, streaming, HttpCompletionOption.ResponseHeadersRead);
        if (response.IsSuccessStatusCode)
            return response;
        using (response)
            throw new CliException(DescribeError(response, await response.Content.ReadAsStringAsync(ct)));
    }

    /// <summary>GETs a text stream (a log, perhaps followed) and copies it to <paramref name="output"/> as it arrives.</summary>
    public async Task CopyTextAsync(string path, Stream output, CancellationToken ct)
    {
        using var streaming = new HttpClient { Timeout = Timeout.InfiniteTimeSpan }; // a followed log stays open until Ctrl+C
        using var request = NewRequest(HttpMethod.Get, path);
        using (var response = await OpenStreamAsync(streaming, request, ct))
        {
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read), ct);
                await output.FlushAsync(ct);
            }
        }
    }

    /// <summary>GETs a server-sent event stream and yields each event's data, as parsed JSON, until the stream ends.</summary>
    public async IAsyncEnumerable<JsonNode> ReadEventsAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        using var streaming = new HttpClient { Timeout = Timeout.InfiniteTimeSpan }; // followed until Ctrl+C
        using var request = NewRequest(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using (var response = await OpenStreamAsync(streaming, request, ct))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct));
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (line.StartsWith("data:", StringComparison.Ordinal))
                    data.Append(line.AsSpan(5).TrimStart(' '));
                else if (line.Length == 0 && data.Length > 0)
                {
                    yield return JsonNode.Parse(data.ToString())!;
                    data.Clear();
                }
            }
        }
    }

    private HttpRequestMessage NewRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, config.Url!.TrimEnd('/') + path);
        if (config.Token is { Length: > 0 } token)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private CliException Unreachable(HttpRequestException e) =>
        new($"cannot reach the controller at {config.Url}: {e.Message} (start one with `./skyserve local start`, or pass --url)");

    /// <returns>The answer's JSON, and its Link rel="next" resolved against the request's URL (null when none).</returns>
    private async Task<(JsonNode Body, Uri? Next)> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var request = NewRequest(method, path);
        request.Content = content;
        using (var response = await SendRawAsync(request, ct))
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new CliException(DescribeError(response, body));
            return (JsonNode.Parse(body) ?? new JsonObject(), LinkHeader.Next(response));
        }
    }

    /// <summary>problem+json's title and detail, and each spec error on its own line.</summary>
    private static string DescribeError(HttpResponseMessage response, string body)
    {
        var status = $"{(int)response.StatusCode} {response.ReasonPhrase}";
        try
        {
            if (JsonNode.Parse(body) is JsonObject problem)
            {
                var text = new StringBuilder($"{problem["title"]?.GetValue<string>() ?? status} ({status})");
                if (problem["errors"] is JsonArray errors && errors.Count > 0)
                    foreach (var e in errors)
                        text.Append($"\n  {e?["path"]} (line {e?["line"]}, column {e?["column"]}): {e?["message"]}");
                else if (problem["detail"]?.GetValue<string>() is { } detail)
                    text.Append($": {detail}");
                return text.ToString();
            }
        }
        catch (JsonException)
        {
        }
        return string.IsNullOrWhiteSpace(body) ? status : $"{status}: {body}";
    }

    public void Dispose() => http.Dispose();
}
