using SkyServe.ReplicaAgent.Endpoints;
using SkyServe.ReplicaAgent.Health;
using Yarp.ReverseProxy.Forwarder;

namespace SkyServe.ReplicaAgent.External;

/// <summary>
/// The agent in front of an external engine: the readiness path answers what the engine answers there (once the
/// agent itself is ready: not draining, not interrupted, engine up), and every other request the agent does not
/// serve itself is forwarded to the engine with YARP's forwarder, streamed both ways.
/// </summary>
public static class ExternalEngineEndpoints
{
    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        // Generations can be silent for a long time before the first token of a non-streamed answer.
        ActivityTimeout = TimeSpan.FromMinutes(10),
        Version = System.Net.HttpVersion.Version11, // engines speak HTTP/1.1 on plain http
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
    };

    /// <param name="readinessPath">The spec's readiness path; null when it is /health, which the agent answers itself.</param>
    public static IEndpointRouteBuilder MapExternalEngine(this IEndpointRouteBuilder app, string? readinessPath)
    {
        if (readinessPath is not null)
            app.MapMethods(readinessPath, [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post], ReadinessAsync);
        // A catch-all route with any method has the lowest precedence: /health, /logs and the readiness path win.
        app.Map("/{**path}", ForwardAsync);
        return app;
    }

    private static async Task ReadinessAsync(HttpContext context, AgentState state, ExternalEngine engine, IHttpForwarder forwarder, HttpMessageInvoker client)
    {
        var readiness = state.GetReadiness();
        if (!readiness.IsReady)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await context.Response.WriteAsJsonAsync(ReadinessResponse.From(readiness));
            return;
        }
        await forwarder.SendAsync(context, engine.Address.ToString(), client, RequestConfig);
    }

    private static async Task ForwardAsync(HttpContext context, ExternalEngine engine, IHttpForwarder forwarder, HttpMessageInvoker client, ILoggerFactory logs)
    {
        if (!engine.IsServing)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            var readiness = engine.Readiness;
            await context.Response.WriteAsJsonAsync(new
            {
                error = new { type = "engine_unavailable", message = $"the engine does not serve now: {readiness.Reason}: {readiness.Detail}" },
            });
            return;
        }
        var error = await forwarder.SendAsync(context, engine.Address.ToString(), client, RequestConfig);
        if (error != ForwarderError.None && error is not (ForwarderError.RequestCanceled or ForwarderError.ResponseBodyCanceled))
        {
            var feature = context.GetForwarderErrorFeature();
            logs.CreateLogger(typeof(ExternalEngineEndpoints)).ForwardingFailed(feature?.Exception,
                context.Request.Method, context.Request.Path, error);
        }
    }

    /// <summary>The client the forwarder sends with: no proxy, no cookies, no decompression, no redirects, as YARP requires.</summary>
    public static HttpMessageInvoker NewClient() => new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ActivityHeadersPropagator = null,
    });
}
