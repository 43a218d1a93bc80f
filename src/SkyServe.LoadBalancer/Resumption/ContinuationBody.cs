using System.Text.Json.Nodes;
using SkyServe.Contracts.Resumption;

namespace SkyServe.LoadBalancer.Resumption;

/// <summary>
/// The body sent to a replica: always streamed with usage (the load balancer tracks the stream and answers a client
/// that did not stream with one JSON body itself), and, after a cut, a continuation of what the client already has:
/// <list type="bullet">
/// <item>completions: the prompt plus the text so far; chat: the messages plus the partial assistant message, with
/// <c>continue_final_message: true, add_generation_prompt: false</c> (vLLM's convention; SGLang and the built-in
/// agent accept it too);</item>
/// <item><c>max_tokens</c> (and <c>max_completion_tokens</c>) less the tokens produced; the seed moved on by as many
/// (<see cref="ResumeProtocol.ContinuationSeed"/>); stop sequences and everything else unchanged;</item>
/// <item>with the ids, when the engine reported them, in <see cref="ResumeProtocol.ResumeField"/> for a
/// token-exact continuation.</item>
/// </list>
/// </summary>
public static class ContinuationBody
{
    /// <summary>The body for the next attempt, or null when the tokens produced already reach max_tokens.</summary>
    public static JsonObject? Build(CompletionRequest request, GenerationProgress progress)
    {
        var body = request.Body.DeepClone().AsObject();
        body["stream"] = true;
        var options = body["stream_options"] as JsonObject ?? new JsonObject();
        options["include_usage"] = true;
        body["stream_options"] = options;
        var ids = progress.TokenIds;
        if (progress.TextLength == 0 && ids is not { Count: > 0 })
            return body; // nothing to continue: a fresh attempt

        var produced = progress.Produced;
        foreach (var limit in (string[])["max_tokens", "max_completion_tokens"])
            if (body[limit] is JsonValue v && v.TryGetValue<long>(out var max))
            {
                if (max - produced < 1)
                    return null;
                body[limit] = max - produced;
            }
        if (body["seed"] is JsonValue s && s.TryGetValue<int>(out var seed))
            body["seed"] = ResumeProtocol.ContinuationSeed(seed, produced);

        var text = progress.Text;
        if (request.Kind == CompletionKind.Text)
            body["prompt"] = request.Prompt + text;
        else
        {
            var messages = body["messages"]!.AsArray();
            messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = text });
            body["continue_final_message"] = true;
            body["add_generation_prompt"] = false;
        }
        if (ids is { Count: > 0 })
            body[ResumeProtocol.ResumeField] = new JsonObject
            {
                ["token_ids"] = new JsonArray(ids.Select(i => (JsonNode)i).ToArray()),
                ["text"] = text,
            };
        return body;
    }
}
