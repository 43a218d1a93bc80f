using SkyServe.Inference.Serving;

namespace SkyServe.ReplicaAgent.Endpoints.OpenAi;

/// <summary>
/// Keeps a prompt's cost within O(context window): too many characters are refused before any tokenizing, and
/// tokenizing stops as soon as the prompt is known not to fit.
/// </summary>
internal static class PromptBounds
{
    /// <summary>
    /// A generous ceiling on characters per token: tokens of common vocabularies average about 4 characters of
    /// English text, so a prompt longer than the window times this will not fit, and refusing it needs no
    /// tokenizer. Only text made of long repeated tokens (e.g. runs of spaces) averages more and is refused
    /// although it might have fit.
    /// </summary>
    public const int MaxCharactersPerToken = 32;

    public static long MaxCharacters(InferenceEngine engine) => (long)engine.ContextWindow * MaxCharactersPerToken;

    /// <summary>Refuses <paramref name="characters"/> of prompt that cannot fit in the window, before tokenizing.</summary>
    public static void CheckLength(InferenceEngine engine, long characters, string param)
    {
        if (characters > MaxCharacters(engine))
            throw new OpenAiError(400, $"this model's maximum context length is {engine.ContextWindow} tokens; a prompt of {characters} characters " +
                $"cannot fit (at most {MaxCharacters(engine)} characters are read); shorten the prompt", param, "context_length_exceeded");
    }

    /// <summary>The prompt's ids, or a 400 as soon as they are more than the window holds (the rest is never tokenized).</summary>
    public static IReadOnlyList<int> Encode(InferenceEngine engine, string prompt, bool addSpecialTokens, string param)
    {
        CheckLength(engine, prompt.Length, param);
        var ids = engine.Tokenizer.Encode(prompt, addSpecialTokens, maxTokens: engine.ContextWindow);
        if (ids.Count > engine.ContextWindow)
            throw new OpenAiError(400, $"this model's maximum context length is {engine.ContextWindow} tokens, but the prompt has more; " +
                "shorten the prompt", param, "context_length_exceeded");
        if (ids.Count == 0)
            throw new OpenAiError(400, "the prompt is empty", param);
        return ids;
    }
}
