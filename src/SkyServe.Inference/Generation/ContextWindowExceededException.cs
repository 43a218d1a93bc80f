namespace SkyServe.Inference.Generation;

/// <summary>The prompt plus max_tokens does not fit the model's context window.</summary>
public sealed class ContextWindowExceededException(int promptTokens, int maxTokens, int window)
    : Exception($"this model's maximum context length is {window} tokens, but the request asks for {(long)promptTokens + maxTokens} " +
        $"({promptTokens} in the prompt, {maxTokens} to generate); shorten the prompt or lower max_tokens")
{
    public int PromptTokens { get; } = promptTokens;
    public int Window { get; } = window;
}
