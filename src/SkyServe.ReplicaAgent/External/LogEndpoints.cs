using System.Globalization;
using System.Text;

namespace SkyServe.ReplicaAgent.External;

/// <summary>
/// <c>GET /logs?tail=N&amp;follow=true</c>: the external engine's log as plain text, its last N lines (default 100),
/// and with <c>follow</c> every new line as it comes until the client leaves or the agent stops. Agents without an
/// external engine answer 404.
/// </summary>
public static class LogEndpoints
{
    public const string Path = "/logs";
    public const int DefaultTail = 100;
    public const int MaxTail = 100_000;

    public static IEndpointRouteBuilder MapLogs(this IEndpointRouteBuilder app, EngineLog? log)
    {
        app.MapGet(Path, (HttpContext context, IHostApplicationLifetime lifetime) => log is null
            ? Results.Json(new { error = new { type = "no_engine_log", message = "this agent runs no external engine (no --run), so it keeps no engine log" } },
                statusCode: StatusCodes.Status404NotFound)
            : WriteAsync(context, log, lifetime));
        return app;
    }

    private static IResult WriteAsync(HttpContext context, EngineLog log, IHostApplicationLifetime lifetime)
    {
        var query = context.Request.Query;
        var tail = DefaultTail;
        if (query.TryGetValue("tail", out var tailText)
            && (!int.TryParse(tailText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out tail) || tail > MaxTail))
            return Results.Json(new { error = new { type = "invalid_request", message = $"tail must be a whole number of lines up to {MaxTail}" } },
                statusCode: StatusCodes.Status400BadRequest);
        var follow = query.TryGetValue("follow", out var followText) && followText.ToString() is "true" or "1" or "";
        return new LogStreamResult(log, tail, follow, lifetime.ApplicationStopping);
    }

    private sealed class LogStreamResult(EngineLog log, int tail, bool follow, CancellationToken stopping) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            var response = context.Response;
            response.ContentType = "text/plain; charset=utf-8";
            response.Headers.CacheControl = "no-cache";
            if (!follow)
            {
                await response.WriteAsync(string.Concat(log.Tail(tail).Select(line => line + "\n")), Encoding.UTF8, context.RequestAborted);
                return;
            }
            using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
            using var follower = log.Follow(tail);
            try
            {
                await response.WriteAsync(string.Concat(follower.Tail.Select(line => line + "\n")), Encoding.UTF8, done.Token);
                await response.Body.FlushAsync(done.Token);
                var batch = new StringBuilder();
                while (await follower.Lines.WaitToReadAsync(done.Token))
                {
                    while (batch.Length < 64 * 1024 && follower.Lines.TryRead(out var line))
                        batch.Append(line).Append('\n');
                    await response.WriteAsync(batch.ToString(), Encoding.UTF8, done.Token);
                    await response.Body.FlushAsync(done.Token);
                    batch.Clear();
                }
            }
            catch (OperationCanceledException) when (done.IsCancellationRequested)
            {
                // The client left, or the agent stops: the stream simply ends.
            }
        }
    }
}
