using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using SkyServe.LoadBalancer.Forwarding;
using SkyServe.LoadBalancer.Stats;

namespace SkyServe.LoadBalancer.Resumption;

/// <param name="Usage">The last replica's usage chunk, if it sent one.</param>
/// <param name="ReportedIds">That replica sent ids: it is the built-in engine, whose usage counts a resumed prefix already.</param>
/// <param name="ProducedBefore">Tokens the client had when that replica's attempt began.</param>
internal sealed record WholeAnswerUsage(JsonObject? Usage, bool ReportedIds, int ProducedBefore);

/// <summary>
/// What the client of a resumable completion gets, whichever replicas produced it: each chunk in the first replica's
/// identity (a chat's assistant role once), then one end — the usage if asked and <c>[DONE]</c>, or for a client that
/// did not stream the whole answer as one JSON body — or, when no replica can finish it, the replica-lost error event.
/// </summary>
internal static class ClientAnswer
{
    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Writer = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Passes one chunk on: a streaming client gets it at the next <see cref="FlushAsync"/>.</summary>
    public static void PassOn(HttpContext context, CompletionRequest request, GenerationProgress progress,
        JsonObject chunk, JsonObject choice, string? finish, JsonArray? ids)
    {
        string delta;
        if (request.Kind == CompletionKind.Chat)
        {
            var message = choice["delta"] as JsonObject;
            delta = message?["content"] is JsonValue c && c.TryGetValue<string>(out var content) ? content : "";
            if (message?["tool_calls"] is JsonArray { Count: > 0 })
                progress.ToolCalls = true;
            if (message is not null)
            {
                // The first chunk the client gets opens the assistant's message; later ones carry no role (as OpenAI's),
                // whatever the replica sent: a continuation's own opening, or an engine that repeats it in every chunk.
                if (!progress.Started)
                    message["role"] = "assistant";
                else
                    message.Remove("role");
            }
        }
        else
            delta = choice["text"] is JsonValue t && t.TryGetValue<string>(out var text) ? text : "";

        if (delta.Length == 0 && finish is null && !progress.ToolCalls && (progress.Started || request.Kind == CompletionKind.Text))
        {
            progress.Add("", ids); // ids of a character not yet complete: kept, nothing to show
            return;
        }
        progress.Stamp(chunk);
        if (request.ClientStreams)
        {
            WriteEvent(context, chunk);
            progress.EventsUnsent = true;
        }
        Passed(progress, delta, ids, finish);
    }

    /// <summary>What the client now has: the event's text (and ids), and its finish reason if it ended the answer.</summary>
    private static void Passed(GenerationProgress progress, string text, JsonArray? ids, string? finish)
    {
        if (finish is not null)
            (progress.FinishReason, progress.Finished) = (finish, true);
        progress.Add(text, ids);
    }

    /// <summary>
    /// Sends the events written since the last time. A client that is gone has its request aborted, which ends the relay's
    /// wait for the replica (its token follows the request's).
    /// </summary>
    public static async ValueTask FlushAsync(HttpContext context, GenerationProgress progress)
    {
        if (!progress.EventsUnsent)
            return;
        progress.EventsUnsent = false;
        try
        {
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            context.Abort();
        }
    }

    /// <summary>Passes on a chunk that goes out byte for byte as the replica sent it (<see cref="PlainChunk"/>), as <see cref="PassOn"/> would.</summary>
    public static void PassOnPlain(HttpContext context, CompletionRequest request, GenerationProgress progress, ReadOnlySpan<byte> chunk, string text, string? finish)
    {
        if (text.Length == 0 && finish is null)
        {
            progress.Add("", null); // nothing to show
            return;
        }
        if (request.ClientStreams)
        {
            StartEventStream(context.Response).Write(chunk);
            context.Response.BodyWriter.Write("\n\n"u8);
            progress.EventsUnsent = true;
        }
        Passed(progress, text, null, finish);
    }

    /// <summary>Writes one event into the response's buffer, unsent: <see cref="FlushAsync"/> sends it, or the answer's end does.</summary>
    private static void WriteEvent(HttpContext context, JsonNode chunk)
    {
        var body = context.Response.BodyWriter;
        using (var writer = new Utf8JsonWriter(StartEventStream(context.Response), Writer))
            chunk.WriteTo(writer);
        body.Write("\n\n"u8);
    }

    /// <summary>Opens an event (the stream's headers first, if this is its first): what follows is its data.</summary>
    private static PipeWriter StartEventStream(HttpResponse response)
    {
        if (!response.HasStarted)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
        }
        response.BodyWriter.Write("data: "u8);
        return response.BodyWriter;
    }

    /// <summary>The end of a whole answer: the usage (if asked) and [DONE], or for a client that did not stream, the answer.</summary>
    public static async Task FinishAsync(HttpContext context, CompletionRequest request, GenerationProgress progress, WholeAnswerUsage attempt)
    {
        var usage = WholeUsage(progress, attempt);
        var chat = request.Kind == CompletionKind.Chat;
        if (!request.ClientStreams)
        {
            JsonNode choice = chat
                ? new JsonObject { ["index"] = 0, ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = progress.Text }, ["logprobs"] = null, ["finish_reason"] = progress.FinishReason }
                : new JsonObject { ["index"] = 0, ["text"] = progress.Text, ["logprobs"] = null, ["finish_reason"] = progress.FinishReason };
            var answer = Identity(progress, chat ? "chat.completion" : "text_completion");
            answer["choices"] = new JsonArray(choice);
            answer["usage"] = usage;
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            try
            {
                await context.Response.WriteAsync(answer.ToJsonString(Json), context.RequestAborted);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                // The client left just as its answer was ready.
            }
            return;
        }
        var kind = chat ? "chat.completion.chunk" : "text_completion";
        if (progress.FinishReason is { } finish && !progress.Finished)
        {
            // The replica that reached the end did not say so in an event the client got (max_tokens met across a cut).
            var last = Identity(progress, kind);
            last["choices"] = new JsonArray(chat
                ? new JsonObject { ["index"] = 0, ["delta"] = new JsonObject(), ["logprobs"] = null, ["finish_reason"] = finish }
                : new JsonObject { ["index"] = 0, ["text"] = "", ["logprobs"] = null, ["finish_reason"] = finish });
            WriteEvent(context, last);
        }
        if (request.ClientWantsUsage)
        {
            var chunk = Identity(progress, kind);
            chunk["choices"] = new JsonArray();
            chunk["usage"] = usage;
            WriteEvent(context, chunk);
        }
        try
        {
            await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The client left at the very end.
        }
    }

    private static JsonObject Identity(GenerationProgress progress, string kind) => new()
    {
        ["id"] = progress.Id?.DeepClone(),
        ["object"] = kind,
        ["created"] = progress.Created?.DeepClone(),
        ["model"] = progress.Model?.DeepClone(),
    };

    /// <summary>
    /// One usage for the whole answer. The built-in engine (it reported ids) counts a resumed prefix as completion
    /// tokens already; another engine counted the text it was given as prompt, so that much moves back to completion.
    /// </summary>
    private static JsonObject WholeUsage(GenerationProgress progress, WholeAnswerUsage attempt)
    {
        int prompt, completion;
        if (attempt.Usage is { } u && Int(u, "prompt_tokens") is { } p && Int(u, "completion_tokens") is { } c)
        {
            var whole = attempt.ReportedIds || attempt.ProducedBefore == 0;
            prompt = whole ? p : Math.Max(0, p - attempt.ProducedBefore);
            completion = whole ? c : attempt.ProducedBefore + c;
        }
        else
        {
            prompt = progress.PromptTokens ?? 0;
            completion = progress.Produced;
        }
        return new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion };
    }

    private static int? Int(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;

    /// <summary>No replica could finish the answer: a stream under way ends with the replica-lost error event; otherwise 503.</summary>
    public static async Task GiveUpAsync(HttpContext context, CompletionRequest request, GenerationProgress progress, string name, ServiceStats stats, Stopwatch clock)
    {
        if (request.ClientStreams && context.Response.HasStarted)
        {
            try
            {
                await context.Response.Body.WriteAsync(ReplicaLostEvent.After((byte)'\n', (byte)'\n'), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
            }
            stats.Finished(context.Response.StatusCode, clock.Elapsed);
            return;
        }
        await ProxyHandler.NoReplicaAsync(context, name, stats, clock);
    }

}
