using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkyServe.Cli;

/// <summary>The controller's REST API as the CLI uses it. Failures become <see cref="CliException"/> with the server's message.</summary>
public sealed class ControllerClient(CliConfig config) : IDisposable
{
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(60) };

    public Task<JsonNode> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);
    public Task<JsonNode> DeleteAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Delete, path, null, ct);
    public Task<JsonNode> PostSpecAsync(string path, string spec, CancellationToken ct) => SendAsync(HttpMethod.Post, path, spec, ct);
    public Task<JsonNode> PutSpecAsync(string path, string spec, CancellationToken ct) => SendAsync(HttpMethod.Put, path, spec, ct);

    /// <summary>GETs a text stream (a log, perhaps followed) and copies it to <paramref name="output"/> as it arrives.</summary>
    public async Task CopyTextAsync(string path, Stream output, CancellationToken ct)
    {
        using var streaming = new HttpClient { Timeout = Timeout.InfiniteTimeSpan }; // a followed log stays open until Ctrl+C
        using var request = NewRequest(HttpMethod.Get, path);
        HttpResponseMessage response;
        try
        {
            response = await streaming.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw new CliException(DescribeError(response, await response.Content.ReadAsStringAsync(ct)));
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

    private HttpRequestMessage NewRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, config.Url!.TrimEnd('/') + path);
        if (config.Token is { Length: > 0 } token)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private CliException Unreachable(HttpRequestException e) =>
        new($"cannot reach the controller at {config.Url}: {e.Message} (start one with `./skyserve local start`, or pass --url)");

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, string? spec, CancellationToken ct)
    {
        using var request = NewRequest(method, path);
        if (spec is not null)
            request.Content = new StringContent(spec, Encoding.UTF8, "application/yaml");
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e);
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode)
                throw new CliException(DescribeError(response, body));
            return JsonNode.Parse(body) ?? new JsonObject();
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
