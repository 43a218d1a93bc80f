using System.Globalization;
using System.Text;
using SkyServe.ReplicaAgent.Health;

namespace SkyServe.ReplicaAgent.Endpoints;

public static class EchoEndpoints
{
    /// <summary>Longest ?delay_ms= accepted: enough to hold a request across a drain, not enough to park connections forever.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Every path and method the agent does not otherwise serve: a trivial HTTP echo that stands in for the
    /// inference API until the engines arrive. <c>?delay_ms=N</c> holds the answer back (a slow request).
    /// </summary>
    public static IEndpointRouteBuilder MapEcho(this IEndpointRouteBuilder app)
    {
        // A catch-all route with any method has the lowest precedence, so /health and the readiness path win.
        app.Map("/{**path}", EchoAsync);
        return app;
    }

    private static async Task<IResult> EchoAsync(HttpContext context, AgentState state, TimeProvider time)
    {
        var request = context.Request;
        if (!TryReadDelay(request, out var delay))
            return TypedResults.BadRequest(new { error = $"delay_ms must be a whole number of milliseconds up to {MaxDelay.TotalMilliseconds:0}" });

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        if (delay > TimeSpan.Zero)
            await Task.Delay(delay, time, context.RequestAborted);

        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        return TypedResults.Ok(new EchoResponse(
            state.MachineId, request.Method, request.PathBase + request.Path, request.QueryString.Value ?? "", headers, body));
    }

    private static bool TryReadDelay(HttpRequest request, out TimeSpan delay)
    {
        delay = TimeSpan.Zero;
        if (!request.Query.TryGetValue("delay_ms", out var values))
            return true;
        if (!int.TryParse(values.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) || ms > MaxDelay.TotalMilliseconds)
            return false;
        delay = TimeSpan.FromMilliseconds(ms);
        return true;
    }
}
