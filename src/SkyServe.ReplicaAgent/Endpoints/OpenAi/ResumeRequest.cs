using System.Text.Json.Nodes;
using SkyServe.Contracts.Resumption;
using SkyServe.Inference.Generation;
using SkyServe.Inference.Serving;

namespace SkyServe.ReplicaAgent.Endpoints.OpenAi;

/// <summary>
/// A continuation from the load balancer (<see cref="ResumeProtocol.ResumeField"/>): the ids an interrupted run sampled
/// and the text its client already has. The request's portable form (prompt + text, or the partial assistant message)
/// is undone, and the ids are appended to the prompt's instead, so that greedy decoding continues token for token.
/// </summary>
internal sealed record ResumeRequest(IReadOnlyList<int> TokenIds, string Text)
{
    private const string Param = ResumeProtocol.ResumeField;

    public static ResumeRequest? Read(JsonObject body)
    {
        if (body[Param] is null)
            return null;
        if (body[Param] is not JsonObject resume)
            throw new OpenAiError(400, $"{Param} must be an object", Param);
        if (resume["token_ids"] is not JsonArray ids || ids.Any(i => i is not JsonValue v || !v.TryGetValue<int>(out _)))
            throw new OpenAiError(400, $"{Param}.token_ids must be a list of token ids", $"{Param}.token_ids");
        if (resume["text"] is not JsonValue t || !t.TryGetValue<string>(out var text))
            throw new OpenAiError(400, $"{Param}.text must be a string", $"{Param}.text");
        return new ResumeRequest(ids.Select(i => i!.GetValue<int>()).ToList(), text);
    }

    /// <summary>The completions prompt without the text the portable form appended to it.</summary>
    public string OriginalPrompt(string prompt) => prompt.EndsWith(Text, StringComparison.Ordinal)
        ? prompt[..^Text.Length]
        : throw new OpenAiError(400, $"the prompt of a continuation must end with {Param}.text", "prompt");

    /// <summary>The messages without the partial assistant message the portable form appended.</summary>
    public JsonArray OriginalMessages(JsonNode? messages)
    {
        if (messages is not JsonArray { Count: > 1 } list || list[^1] is not JsonObject last
            || last["role"]?.GetValue<string>() != "assistant" || last["content"]?.GetValue<string>() != Text)
            throw new OpenAiError(400, $"the messages of a continuation must end with the assistant's partial answer, {Param}.text", "messages");
        return new JsonArray(list.Take(list.Count - 1).Select(m => m?.DeepClone()).ToArray());
    }

    public GenerationPrefix Prefix(InferenceEngine engine)
    {
        try
        {
            return GenerationPrefix.Create(engine.Tokenizer, engine.Model.Config.VocabSize, TokenIds, Text);
        }
        catch (ArgumentException e)
        {
            throw new OpenAiError(400, $"{Param} cannot be continued: {e.Message.Split(" (Parameter")[0]}", Param);
        }
    }

    /// <summary>The sampling of the interrupted run: its seed back (<see cref="ResumeProtocol.OriginalSeed"/>); max_tokens counts new tokens.</summary>
    public SamplingParameters Sampling(SamplingParameters continuation) =>
        continuation.Seed is { } seed ? continuation with { Seed = ResumeProtocol.OriginalSeed(seed, TokenIds.Count) } : continuation;
}
