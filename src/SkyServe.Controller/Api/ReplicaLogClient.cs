using System.Net;
using System.Text.Json.Nodes;

namespace SkyServe.Controller.Api;

/// <summary>
/// Reads a replica's engine log from its agent (<c>GET /logs?tail=N&amp;follow=true</c>) and copies it to the
/// caller as it arrives, so that a followed log streams through the controller.
/// </summary>
public sealed class ReplicaLogClient
{
    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan, // a followed log stays open; the caller's cancellation ends it
    };

    public async Task CopyAsync(string endpoint, string replica, int tail, bool follow, HttpResponse target, CancellationToken ct)
    {
        var url = $"{endpoint.TrimEnd('/')}/logs?tail={tail}&follow={(follow ? "true" : "false")}";
        HttpResponseMessage response;
        using (var headers = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            headers.CancelAfter(TimeSpan.FromSeconds(15));
            try
            {
                response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, headers.Token);
            }
            catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or OperationCanceledException)
            {
                throw new ReplicaAgentException(StatusCodes.Status502BadGateway, "Replica agent unreachable",
                    $"could not read the logs of {replica} from its agent at {endpoint}: {e.Message}");
            }
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw await DescribeAsync(response, endpoint, replica, ct);
            target.StatusCode = StatusCodes.Status200OK;
            target.ContentType = "text/plain; charset=utf-8";
            target.Headers.CacheControl = "no-cache";
            await target.StartAsync(ct);
            var buffer = new byte[16 * 1024];
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    await target.Body.WriteAsync(buffer.AsMemory(0, read), ct);
                    await target.Body.FlushAsync(ct);
                }
            }
            catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
            {
                // The caller left, or the agent went away mid-stream (its machine stopped): the log simply ends.
            }
        }
    }

    private static async Task<ReplicaAgentException> DescribeAsync(HttpResponseMessage response, string endpoint, string replica, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        string? message = null;
        string? type = null;
        try
        {
            var error = JsonNode.Parse(text)?["error"];
            message = error?["message"]?.GetValue<string>();
            type = error?["type"]?.GetValue<string>();
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
        }
        if (response.StatusCode == HttpStatusCode.NotFound && type == "no_engine_log")
            return new ReplicaAgentException(StatusCodes.Status404NotFound, "No engine log",
                $"{replica} runs no external engine (the service has no run: command), so its agent keeps no engine log");
        return new ReplicaAgentException(StatusCodes.Status502BadGateway, "Replica agent error",
            $"the agent of {replica} at {endpoint} answered {(int)response.StatusCode}: {message ?? text}");
    }
}
