using System.Text.Json;
using System.Text.Json.Nodes;
using SkyServe.Contracts.Resumption;
using SkyServe.Inference.Generation;
using SkyServe.ReplicaAgent.Health;

namespace SkyServe.ReplicaAgent.Endpoints.OpenAi;

/// <summary>Runs one generation and answers it: as one JSON body, or as server-sent events ending in [DONE].</summary>
internal static class CompletionStream
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>
    /// <paramref name="chunk"/> shapes one streamed event from (text delta, finish reason, is first);
    /// <paramref name="whole"/> shapes the non-streamed answer from (text, finish reason, usage).
    /// </summary>
    public static async Task<IResult> AnswerAsync(HttpContext http, GenerationRequest generation, bool stream, bool includeUsage,
        Func<string, string?, bool, object> chunk, Func<string, string, object, object> whole, Func<object, object> usageChunk)
    {
        if (!stream)
        {
            var text = new System.Text.StringBuilder();
            GenerationEvent? last = null;
            await foreach (var e in generation.Output.ReadAllAsync(http.RequestAborted))
            {
                text.Append(e.Text);
                last = e;
            }
            return Results.Json(whole(text.ToString(), last?.FinishReason ?? FinishReason.Abort, Usage(last)), Json);
        }

        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        GenerationEvent? final = null;
        var first = true;
        var reported = generation.Prefix?.TokenIds.Count ?? 0;
        // Only the load balancer (which asks for the ids) can move a generation: others keep today's answer.
        var deadline = generation.EveryToken && http.RequestServices.GetService<AgentState>() is { } state
            ? new DeadlineCheck(state, http.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System, generation)
            : null;
        await foreach (var e in generation.Output.ReadAllAsync(http.RequestAborted))
        {
            var value = chunk(e.Text, e.FinishReason, first);
            if (generation.EveryToken)
            {
                // The ids sampled since the last event, for the load balancer to continue from (it strips them).
                var node = JsonSerializer.SerializeToNode(value, Json)!.AsObject();
                node[ResumeProtocol.TokenIdsField] = new JsonArray(e.TokenIds.Skip(reported).Select(i => (JsonNode)i).ToArray());
                reported = e.TokenIds.Count;
                value = node;
            }
            await WriteAsync(response, value, http.RequestAborted);
            first = false;
            final = e;
            if (deadline?.AfterEvent(e) is { } why)
            {
                // Ends the answer without [DONE]; the load balancer continues it elsewhere, and the caller cancels the generation.
                await WriteAsync(response, new Dictionary<string, object> { [ResumeProtocol.MigrateField] = new { reason = why } }, http.RequestAborted);
                return Results.Empty;
            }
        }
        if (includeUsage)
            await WriteAsync(response, usageChunk(Usage(final)), http.RequestAborted);
        await response.WriteAsync("data: [DONE]\n\n", http.RequestAborted);
        return Results.Empty;
    }

    public static object Usage(GenerationEvent? e) => new
    {
        prompt_tokens = e?.PromptTokens ?? 0,
        completion_tokens = e?.CompletionTokens ?? 0,
        total_tokens = (e?.PromptTokens ?? 0) + (e?.CompletionTokens ?? 0),
    };

    private static async Task WriteAsync(HttpResponse response, object value, CancellationToken ct)
    {
        await response.WriteAsync("data: ", ct);
        await JsonSerializer.SerializeAsync(response.Body, value, Json, ct);
        await response.WriteAsync("\n\n", ct);
        await response.Body.FlushAsync(ct); // each token leaves at once: never buffered
    }
}
