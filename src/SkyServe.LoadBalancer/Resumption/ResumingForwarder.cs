using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SkyServe.Contracts.Resumption;
using SkyServe.LoadBalancer.Forwarding;
using SkyServe.LoadBalancer.Hosting;
using SkyServe.LoadBalancer.Routing;
using SkyServe.LoadBalancer.Stats;

namespace SkyServe.LoadBalancer.Resumption;

/// <summary>
/// Forwards a completion so that losing its replica mid-answer costs the client nothing: the replica is always asked
/// for a stream (with the sampled ids, <see cref="ResumeProtocol"/>), each event is passed on as it comes (or gathered
/// into one JSON body for a client that did not stream), and when the stream is cut — connection reset, end without
/// <c>[DONE]</c>, a generation aborted, the replica draining — a continuation (<see cref="ContinuationBody"/>) goes to
/// another READY replica and its events are spliced in: the same <c>id</c>, <c>created</c> and <c>model</c>, no text
/// twice or lost, one <c>[DONE]</c>, one <c>usage</c> counting the whole generation (<see cref="ClientAnswer"/>). Attempts are bounded by
/// <see cref="LoadBalancerOptions.MaxAttempts"/>; past them, or after a tool call began, the stream ends with the
/// replica-lost error event as before.
/// </summary>
public sealed class ResumingForwarder(
    LoadBalancerOptions options,
    RouteTable table,
    ReplicaPicker picker,
    ScaleToZeroGate waiting,
    HttpMessageInvoker client,
    PassiveHealth health,
    ReplicaFailureReporter failures,
    ILogger<ResumingForwarder> log)
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Request headers that belong to one hop, or that the forwarder sets itself.</summary>
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Proxy-Connection", "Proxy-Authorization",
        "Expect", "Content-Length", "Accept-Encoding", ResumeProtocol.TokenIdsHeader,
    };

    public async Task HandleAsync(HttpContext context, CompletionRequest request, string name, ServiceRoute route, ServiceStats stats, Stopwatch clock)
    {
        var progress = new GenerationProgress();
        HashSet<string>? tried = null;
        for (var attempt = 1; ; attempt++)
        {
            var body = ContinuationBody.Build(request, progress);
            if (body is null)
            {
                // The cut came after the last token max_tokens allowed: the answer is whole.
                progress.FinishReason ??= "length";
                await ClientAnswer.FinishAsync(context, request, progress, new WholeAnswerUsage(null, false, progress.Produced));
                stats.Finished(context.Response.StatusCode, clock.Elapsed);
                return;
            }
            var replica = picker.Pick(route, tried) ?? await WaitForReplicaAsync(context, name, route, tried);
            if (replica is null)
            {
                await ClientAnswer.GiveUpAsync(context, request, progress, name, stats, clock);
                return;
            }
            if (progress.Started)
            {
                stats.Resumed();
                log.Resuming(name, replica.Id, progress.Produced, attempt);
            }
            var result = await AttemptAsync(context, request, progress, replica, body);
            switch (result.Outcome)
            {
                case Outcome.Completed:
                    await ClientAnswer.FinishAsync(context, request, progress, result.Usage!);
                    stats.Finished(context.Response.StatusCode, clock.Elapsed);
                    return;
                case Outcome.Answered:
                    stats.Finished(context.Response.StatusCode, clock.Elapsed);
                    return;
                case Outcome.ClientGone:
                    stats.Disconnected();
                    return;
            }
            health.MarkFailed(replica.Url, options.FailedReplicaCooldown);
            failures.Report(name, replica.Id, result.Reason!);
            (tried ??= []).Add(replica.Id);
            if (progress.ToolCalls || attempt >= options.MaxAttempts)
            {
                log.GivingUp(name, replica.Id, attempt, progress.ToolCalls ? "a tool call was under way" : "out of attempts", result.Reason!);
                await ClientAnswer.GiveUpAsync(context, request, progress, name, stats, clock);
                return;
            }
            stats.Retried();
            route = table.Find(name) ?? route;
        }
    }

    /// <summary>A scaled-to-zero service keeps its first request waiting (bounded) while the controller brings a replica up, as any request.</summary>
    private async Task<Replica?> WaitForReplicaAsync(HttpContext context, string name, ServiceRoute route, HashSet<string>? tried)
    {
        if (!route.ScaleToZero || route.Replicas.Count > 0 || tried is not null)
            return null;
        return await waiting.WaitAsync(name, () => table.Find(name) is { } now ? picker.Pick(now, tried) : null, context.RequestAborted);
    }

    private enum Outcome { Completed, Cut, Answered, ClientGone }

    private sealed record AttemptResult(Outcome Outcome, string? Reason = null, WholeAnswerUsage? Usage = null);

    private async Task<AttemptResult> AttemptAsync(HttpContext context, CompletionRequest request, GenerationProgress progress, Replica replica, JsonObject body)
    {
        using var message = NewRequest(context, replica, body);
        using var activity = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        activity.CancelAfter(options.ActivityTimeout);
        replica.Enter();
        try
        {
            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(message, activity.Token);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
            {
                return context.RequestAborted.IsCancellationRequested ? new(Outcome.ClientGone) : new(Outcome.Cut, e.Message);
            }
            using (response)
            {
                var status = (int)response.StatusCode;
                if (status is StatusCodes.Status502BadGateway or StatusCodes.Status503ServiceUnavailable)
                    return new(Outcome.Cut, $"answered {status}");
                if (response.Content.Headers.ContentType?.MediaType != "text/event-stream" || !response.IsSuccessStatusCode)
                {
                    if (progress.Started)
                        return new(Outcome.Cut, $"answered the continuation with {status}");
                    return await CopyAnswerAsync(context, response, activity.Token);
                }
                return await RelayAsync(context, request, progress, response, activity);
            }
        }
        finally
        {
            replica.Leave();
        }
    }

    private static HttpRequestMessage NewRequest(HttpContext context, Replica replica, JsonObject body)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, replica.Url + context.Request.Path + context.Request.QueryString)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, Json)),
        };
        message.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        foreach (var (key, value) in context.Request.Headers)
            if (!NotForwarded.Contains(key) && !key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                message.Headers.TryAddWithoutValidation(key, (IEnumerable<string?>)value);
        ForwardedHeaders.Set(context, message);
        message.Headers.TryAddWithoutValidation(ResumeProtocol.TokenIdsHeader, "1");
        return message;
    }

    /// <summary>A first answer that is not a stream (an error, or an engine that does not stream): passed on as it is.</summary>
    private static async Task<AttemptResult> CopyAnswerAsync(HttpContext context, HttpResponseMessage response, CancellationToken ct)
    {
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (key, values) in response.Headers.Concat(response.Content.Headers))
            if (!NotForwarded.Contains(key))
                context.Response.Headers[key] = values.ToArray();
        if (response.Content.Headers.ContentLength is { } length)
            context.Response.ContentLength = length;
        try
        {
            await response.Content.CopyToAsync(context.Response.Body, ct);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            if (context.RequestAborted.IsCancellationRequested)
                return new(Outcome.ClientGone);
            context.Abort(); // part of a body is out: the client must not take it for the whole
        }
        return new(Outcome.Answered);
    }

    /// <summary>Passes the replica's events on, tracking what the client has, until the end or a cut.</summary>
    private async Task<AttemptResult> RelayAsync(HttpContext context, CompletionRequest request, GenerationProgress progress,
        HttpResponseMessage response, CancellationTokenSource activity)
    {
        var producedBefore = progress.Produced;
        JsonObject? usage = null;
        var reportedIds = false;
        var aborted = false;
        try
        {
            var reader = new SseEventReader(await response.Content.ReadAsStreamAsync(activity.Token), () => ClientAnswer.FlushAsync(context, progress));
            while (true)
            {
                activity.CancelAfter(options.ActivityTimeout);
                var data = await reader.ReadAsync(activity.Token);
                if (data is not { } bytes || bytes.Span.SequenceEqual("[DONE]"u8))
                {
                    if (aborted)
                        return new(Outcome.Cut, "the replica aborted the generation");
                    if (data is null && progress.FinishReason is null)
                        return new(Outcome.Cut, "the stream ended without [DONE]");
                    return new(Outcome.Completed, Usage: new WholeAnswerUsage(usage, reportedIds, producedBefore));
                }
                if (PlainChunk.TryRead(bytes.Span, request.Kind, progress, out var text, out var plainFinish))
                {
                    ClientAnswer.PassOnPlain(context, request, progress, bytes.Span, text, plainFinish);
                    continue;
                }
                if (ParseObject(bytes.Span) is not { } chunk)
                    continue; // nothing an OpenAI client could read either
                if (chunk[ResumeProtocol.MigrateField] is not null)
                    return new(Outcome.Cut, "the replica is draining and will not finish in time");
                if (chunk["error"] is not null)
                    return new(Outcome.Cut, $"the replica's stream failed: {chunk["error"]!.ToJsonString()}");
                var ids = chunk[ResumeProtocol.TokenIdsField] as JsonArray;
                chunk.Remove(ResumeProtocol.TokenIdsField);
                reportedIds |= ids is not null;
                if (chunk["choices"] is not JsonArray { Count: > 0 } choices || choices[0] is not JsonObject choice)
                {
                    if (chunk["usage"] is JsonObject u)
                        usage = u;
                    continue;
                }
                var finish = choice["finish_reason"] is JsonValue f && f.TryGetValue<string>(out var reason) ? reason : null;
                if (finish == "abort")
                {
                    // The engine gave up (it is shutting down): whatever the event still holds may not be final text.
                    aborted = true;
                    continue;
                }
                chunk.Remove("usage"); // per-chunk usage (vLLM's continuous stats) would not add up across replicas
                ClientAnswer.PassOn(context, request, progress, chunk, choice, finish, ids);
            }
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or InvalidDataException)
        {
            return context.RequestAborted.IsCancellationRequested ? new(Outcome.ClientGone) : new(Outcome.Cut, e.Message);
        }
    }

    private static JsonObject? ParseObject(ReadOnlySpan<byte> data)
    {
        try
        {
            return JsonNode.Parse(data) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

internal static partial class ResumingForwarderLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "resuming a completion of {Service} on replica {Replica} after {Tokens} tokens (attempt {Attempt})")]
    public static partial void Resuming(this ILogger logger, string service, string replica, int tokens, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "a completion of {Service} failed for good on replica {Replica} at attempt {Attempt} ({Why}): {Reason}")]
    public static partial void GivingUp(this ILogger logger, string service, string replica, int attempt, string why, string reason);
}
