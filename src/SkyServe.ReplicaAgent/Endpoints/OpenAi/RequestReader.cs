using System.Text.Json.Nodes;
using SkyServe.Inference.Generation;

namespace SkyServe.ReplicaAgent.Endpoints.OpenAi;

/// <summary>Reads the JSON body of a completions request, with OpenAI's names, defaults and checks.</summary>
internal static class RequestReader
{
    public static Task<JsonObject> ReadAsync(HttpRequest request, int maxBytes, CancellationToken ct) =>
        RequestBody.ReadJsonObjectAsync(request, maxBytes, ct);

    /// <summary>The model the request names, if it names one.</summary>
    public static string? Model(JsonObject body) => body["model"] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var name) => name,
        _ => throw new OpenAiError(400, "model must be a string", "model"),
    };

    public static SamplingParameters Sampling(JsonObject body, int defaultMaxTokens)
    {
        if (Int(body, "n") is { } n && n != 1)
            throw new OpenAiError(400, "only n=1 is supported", "n");
        var maxTokens = Int(body, "max_completion_tokens") ?? Int(body, "max_tokens") ?? defaultMaxTokens;
        if (maxTokens < 1)
            throw new OpenAiError(400, "max_tokens must be at least 1", "max_tokens");
        var temperature = Number(body, "temperature") ?? 1.0;
        if (temperature is < 0 or > 2)
            throw new OpenAiError(400, "temperature must be between 0 and 2", "temperature");
        var topP = Number(body, "top_p") ?? 1.0;
        if (topP is <= 0 or > 1)
            throw new OpenAiError(400, "top_p must be greater than 0 and at most 1", "top_p");
        return new SamplingParameters(maxTokens, temperature, topP, Int(body, "seed"), Stops(body), Bool(body, "ignore_eos") ?? false);
    }

    public static bool Stream(JsonObject body) => Bool(body, "stream") ?? false;

    /// <summary>
    /// vLLM's chat extension: <c>continue_final_message</c> continues the last (assistant) message; it goes with
    /// <c>add_generation_prompt: false</c>, since a new turn cannot both open and continue.
    /// </summary>
    public static bool ContinueFinalMessage(JsonObject body)
    {
        var continueFinal = Bool(body, "continue_final_message") ?? false;
        if (continueFinal && (Bool(body, "add_generation_prompt") ?? true))
            throw new OpenAiError(400, "continue_final_message needs add_generation_prompt: false", "add_generation_prompt");
        return continueFinal;
    }

    public static bool IncludeUsageInStream(JsonObject body) => body["stream_options"] switch
    {
        null => false,
        JsonObject options => Bool(options, "include_usage", "stream_options.include_usage") ?? false,
        _ => throw new OpenAiError(400, "stream_options must be an object", "stream_options"),
    };

    private static bool? Bool(JsonObject body, string name, string? param = null) => body[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<bool>(out var flag) => flag,
        _ => throw new OpenAiError(400, $"{param ?? name} must be a boolean", param ?? name),
    };

    private static IReadOnlyList<string>? Stops(JsonObject body) => body["stop"] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var one) => [one],
        JsonArray many when many.All(s => s is JsonValue x && x.TryGetValue<string>(out _)) && many.Count <= 4 => many.Select(s => s!.GetValue<string>()).ToList(),
        _ => throw new OpenAiError(400, "stop must be a string or a list of at most 4 strings", "stop"),
    };

    private static int? Int(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<int>(out var i) => i,
        JsonValue v when v.TryGetValue<double>(out var d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue => (int)d,
        _ => throw new OpenAiError(400, $"{name} must be an integer", name),
    };

    private static double? Number(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonValue v when v.TryGetValue<double>(out var d) => d,
        _ => throw new OpenAiError(400, $"{name} must be a number", name),
    };
}
