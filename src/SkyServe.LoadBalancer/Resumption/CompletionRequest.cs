using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SkyServe.LoadBalancer.Resumption;

public enum CompletionKind
{
    /// <summary>/v1/completions: the continuation's prompt is the prompt plus the text so far.</summary>
    Text,
    /// <summary>/v1/chat/completions: the continuation continues a partial assistant message.</summary>
    Chat,
}

/// <summary>
/// An OpenAI completion request that can be resumed on another replica: one choice (<c>n</c> 1), no log
/// probabilities, no <c>echo</c>/<c>suffix</c>/<c>best_of</c>, no guided decoding, a single string prompt. Whatever
/// else it asks is sent on unchanged, stop sequences and seed included. A stream cut after a tool call began is not
/// resumed either (<see cref="GenerationProgress.ToolCalls"/>).
/// </summary>
public sealed class CompletionRequest
{
    private CompletionRequest(CompletionKind kind, JsonObject body)
    {
        Kind = kind;
        Body = body;
        ClientStreams = body["stream"] is JsonValue s && s.TryGetValue<bool>(out var stream) && stream;
        ClientWantsUsage = ClientStreams && body["stream_options"] is JsonObject o && o["include_usage"] is JsonValue u
            && u.TryGetValue<bool>(out var usage) && usage;
    }

    public CompletionKind Kind { get; }
    /// <summary>The client's body as sent.</summary>
    public JsonObject Body { get; }
    public bool ClientStreams { get; }
    public bool ClientWantsUsage { get; }

    /// <summary>The kind of completion a path asks for, or null for any other path (the hot path pays two comparisons).</summary>
    public static CompletionKind? KindOf(PathString path)
    {
        var value = path.Value;
        if (value is null || !value.EndsWith("completions", StringComparison.OrdinalIgnoreCase) && !value.EndsWith("completions/", StringComparison.OrdinalIgnoreCase))
            return null;
        var trimmed = value.TrimEnd('/');
        return trimmed.Equals("/v1/completions", StringComparison.OrdinalIgnoreCase) ? CompletionKind.Text
            : trimmed.Equals("/v1/chat/completions", StringComparison.OrdinalIgnoreCase) ? CompletionKind.Chat
            : null;
    }

    /// <summary>The request if it can be resumed; null (with why not) if it goes through as any other request.</summary>
    public static CompletionRequest? TryRead(CompletionKind kind, ReadOnlySpan<byte> body, out string? whyNot)
    {
        JsonObject? parsed;
        try
        {
            parsed = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            parsed = null;
        }
        whyNot = parsed is null ? "the body is not a JSON object" : WhyNotResumable(kind, parsed);
        return whyNot is null ? new CompletionRequest(kind, parsed!) : null;
    }

    private static string? WhyNotResumable(CompletionKind kind, JsonObject body)
    {
        if (body["n"] is { } n && !(n is JsonValue v && v.TryGetValue<double>(out var count) && count == 1))
            return "n > 1";
        if (body["best_of"] is JsonValue b && b.TryGetValue<double>(out var bestOf) && bestOf > 1)
            return "best_of > 1";
        if (IsSet(body["logprobs"]) || IsSet(body["top_logprobs"]))
            return "logprobs";
        if (IsSet(body["echo"]) || IsSet(body["suffix"]))
            return "echo or suffix";
        if (body["response_format"] is JsonObject format && format["type"]?.GetValueKind() == JsonValueKind.String
            && format["type"]!.GetValue<string>() != "text" || body.Any(p => p.Key.StartsWith("guided_", StringComparison.Ordinal)))
            return "guided decoding";
        return kind switch
        {
            CompletionKind.Text when !(body["prompt"] is JsonValue p && p.TryGetValue<string>(out _)
                || body["prompt"] is JsonArray { Count: 1 } one && one[0] is JsonValue q && q.TryGetValue<string>(out _)) => "the prompt is not one string",
            CompletionKind.Chat when body["messages"] is not JsonArray { Count: > 0 } => "no messages",
            _ => null,
        };
    }

    /// <summary>Present and not null, false or 0 (clients send <c>"logprobs": null</c> or <c>false</c> for none).</summary>
    private static bool IsSet(JsonNode? node) => node switch
    {
        null => false,
        JsonValue v when v.TryGetValue<bool>(out var flag) => flag,
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => false,
        _ => true,
    };

    /// <summary>The completions prompt as one string.</summary>
    public string Prompt => Body["prompt"] is JsonArray one ? one[0]!.GetValue<string>() : Body["prompt"]!.GetValue<string>();
}
