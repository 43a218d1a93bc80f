using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using SkyServe.LoadBalancer.Hosting;
using SkyServe.LoadBalancer.LoadBalancing;
using SkyServe.LoadBalancer.Resumption;
using SkyServe.LoadBalancer.Routing;
using SkyServe.LoadBalancer.Stats;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace SkyServe.LoadBalancer.Forwarding;

/// <summary>
/// The data path: pick a READY replica with the service's policy, forward with YARP's forwarder (streamed,
/// never buffered), and when an attempt fails before the response started — connect error, reset before
/// headers, 502/503 from the replica — take that replica out of rotation and retry on another one, if the
/// request body can be replayed. A client that goes away is counted, not retried. Whenever no replica answered —
/// none READY, or every attempt failed before the response started — the client gets the same 503 JSON with
/// Retry-After, never YARP's empty 502. A replica lost after the response started cannot be hidden: an SSE stream
/// ends with an error event (<see cref="EventStreamGuard"/>), any other response is aborted. Completions are the
/// exception: unless resumption is off, a resumable one goes to <see cref="ResumingForwarder"/>, which continues it on
/// another replica instead.
/// </summary>
public sealed class ProxyHandler(
    LoadBalancerOptions options,
    ServiceSelector selector,
    RouteTable table,
    IHttpForwarder forwarder,
    HttpMessageInvoker client,
    PassiveHealth health,
    StatsRegistry stats,
    ReplicaFailureReporter failures,
    ScaleToZeroGate waiting,
    ReplicaPicker picker,
    ResumingForwarder resuming,
    ILogger<ProxyHandler> log)
{
    private readonly ForwarderRequestConfig requestConfig = new() { ActivityTimeout = options.ActivityTimeout };

    public async Task HandleAsync(HttpContext context)
    {
        var name = selector.Select(context);
        if (name is null || table.Find(name) is not { } route)
        {
            await ErrorAsync(context, StatusCodes.Status404NotFound, "unknown_service",
                name is null ? "no service matches this host or path" : $"no service named '{name}'");
            return;
        }
        if (options.ApiKeys.TryGetValue(name, out var key) && !ApiKeyCheck.Allows(context.Request, key))
        {
            await ErrorAsync(context, StatusCodes.Status401Unauthorized, "invalid_api_key", $"service '{name}' needs its API key");
            return;
        }
        if (!ForwardedPaths.Allows(route, context.Request.Path))
        {
            // Neither counted nor waited for: such a request never reaches a replica.
            await ErrorAsync(context, StatusCodes.Status404NotFound, "not_found", $"service '{name}' does not serve this path");
            return;
        }

        var serviceStats = stats.For(name);
        serviceStats.Started();
        var clock = Stopwatch.StartNew();
        var replayable = await MakeReplayableAsync(context.Request);
        // Completions are tracked token by token, to be continued on another replica if theirs is lost mid-answer.
        if (replayable && options.Resume && CompletionRequest.KindOf(context.Request.Path) is { } kind && HttpMethods.IsPost(context.Request.Method)
            && await ResumableBodyAsync(context.Request, kind) is { } completion)
        {
            await resuming.HandleAsync(context, completion, name, route, serviceStats, clock);
            return;
        }
        HashSet<string>? tried = null; // allocated on the first failure only
        for (var attempt = 1; ; attempt++)
        {
            var replica = picker.Pick(route, tried) ?? await WaitForReplicaAsync(context, name, route, tried);
            if (replica is null)
            {
                await NoReplicaAsync(context, name, serviceStats, clock);
                return;
            }
            var mayRetry = replayable && attempt < options.MaxAttempts;
            var transformer = new ReplayAwareTransformer();
            ForwarderError error;
            replica.Enter();
            try
            {
                error = await forwarder.SendAsync(context, replica.Url, client, requestConfig, transformer);
            }
            finally
            {
                replica.Leave();
            }

            // YARP aborts the client's connection itself when the replica fails mid-body: that is no client leaving.
            var replicaLostMidBody = error == ForwarderError.ResponseBodyDestination;
            if (!replicaLostMidBody && (context.RequestAborted.IsCancellationRequested || IsClientSide(error)))
            {
                serviceStats.Disconnected();
                return;
            }
            if (error == ForwarderError.None && !transformer.RejectedStatus && transformer.StreamCut is null)
            {
                serviceStats.Finished(context.Response.StatusCode, clock.Elapsed);
                return;
            }

            var reason = transformer.RejectedStatus ? $"answered {transformer.ReplicaStatus}"
                : transformer.StreamCut is { } cut ? $"stream cut: {cut.Message}"
                : $"{error}: {context.Features.Get<IForwarderErrorFeature>()?.Exception?.Message}";
            health.MarkFailed(replica.Url, options.FailedReplicaCooldown);
            failures.Report(name, replica.Id, reason);
            (tried ??= []).Add(replica.Id);
            if (context.Response.HasStarted)
            {
                // Part of the answer is out: an SSE stream got its error event, anything else was aborted by YARP.
                log.AttemptFailedMidResponse(attempt, replica.Id, name, reason);
                serviceStats.Finished(context.Response.StatusCode, clock.Elapsed);
                return;
            }
            if (!mayRetry)
            {
                // Out of attempts (or the body cannot be sent again): the same answer as no replica at all, not YARP's 502.
                log.AttemptFailedForGood(attempt, replica.Id, name, reason);
                await NoReplicaAsync(context, name, serviceStats, clock);
                return;
            }
            serviceStats.Retried();
            ResetForRetry(context);
            route = table.Find(name) ?? route;
        }
    }

    /// <summary>A scaled-to-zero service keeps its first request waiting (bounded) while the controller brings a replica up.</summary>
    private async Task<Replica?> WaitForReplicaAsync(HttpContext context, string name, ServiceRoute route, HashSet<string>? tried)
    {
        if (!route.ScaleToZero || route.Replicas.Count > 0 || tried is not null)
            return null;
        return await waiting.WaitAsync(name, () => table.Find(name) is { } now ? picker.Pick(now, tried) : null, context.RequestAborted);
    }

    /// <summary>Bodies up to the limit are buffered so that they can be sent again; larger or unknown-length ones get one attempt.</summary>
    private async Task<bool> MakeReplayableAsync(HttpRequest request)
    {
        if (request.ContentLength is 0 || request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding"))
            return true;
        if (request.ContentLength is not { } length || length > options.ReplayableBodyLimit)
            return false;
        request.EnableBuffering((int)Math.Min(length, 64 * 1024), options.ReplayableBodyLimit);
        await request.Body.DrainAsync(request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        return true;
    }

    /// <summary>The buffered body as a resumable completion, or null (the body rewound) when it goes through as is.</summary>
    private async Task<CompletionRequest?> ResumableBodyAsync(HttpRequest request, CompletionKind kind)
    {
        if (request.Body is not { CanSeek: true } body || body.Length > options.ReplayableBodyLimit)
            return null;
        var bytes = new byte[body.Length];
        body.Position = 0;
        await body.ReadExactlyAsync(bytes, request.HttpContext.RequestAborted); // buffered already
        body.Position = 0;
        var completion = CompletionRequest.TryRead(kind, bytes, out var whyNot);
        if (completion is null)
            log.NotResumable(request.Path.Value ?? "", whyNot!);
        return completion;
    }

    private static void ResetForRetry(HttpContext context)
    {
        context.Response.Clear();
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Features.Set<IForwarderErrorFeature>(null);
        if (context.Request.Body.CanSeek)
            context.Request.Body.Position = 0;
    }

    private static bool IsClientSide(ForwarderError error) => error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled
        or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient;

    /// <summary>No replica could answer: 503 with Retry-After, whether none was READY or every one tried failed.</summary>
    internal static async Task NoReplicaAsync(HttpContext context, string name, ServiceStats serviceStats, Stopwatch clock)
    {
        serviceStats.FoundNoReplica();
        await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "no_replica",
            $"service '{name}' has no READY replica that can answer right now; retry shortly");
        serviceStats.Finished(StatusCodes.Status503ServiceUnavailable, clock.Elapsed);
    }

    /// <summary>Errors in the OpenAI-style JSON shape the replicas use, so clients parse one format.</summary>
    internal static Task ErrorAsync(HttpContext context, int status, string type, string message)
    {
        if (context.Response.HasStarted)
            return Task.CompletedTask;
        context.Response.Clear();
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
            context.Response.Headers.RetryAfter = "1";
        return context.Response.WriteAsJsonAsync(new { error = new { message, type, code = status } });
    }
}

internal static partial class ProxyHandlerLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "{Path}: not resumable ({Reason}); forwarded as is")]
    public static partial void NotResumable(this ILogger logger, string path, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "attempt {Attempt} on {Replica} of {Service} failed mid-response: {Reason}")]
    public static partial void AttemptFailedMidResponse(this ILogger logger, int attempt, string replica, string service, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "attempt {Attempt} on {Replica} of {Service} failed for good: {Reason}")]
    public static partial void AttemptFailedForGood(this ILogger logger, int attempt, string replica, string service, string reason);
}
