using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using SkyServe.Inference.ChatTemplates;
using SkyServe.Inference.Serving;

namespace SkyServe.ReplicaAgent.Endpoints.OpenAi;

/// <summary>Turns a chat request's messages into the model's prompt with its own chat template (or the documented default).</summary>
internal static class ChatPrompt
{
    private static readonly ConcurrentDictionary<string, ChatTemplate> Compiled = new();

    /// <param name="continueFinalMessage">
    /// vLLM's <c>continue_final_message</c>: the last message is an unfinished assistant answer, rendered without its end
    /// of turn, so that generation continues it.
    /// </param>
    public static string Render(InferenceEngine engine, JsonNode? messages, bool continueFinalMessage = false)
    {
        if (messages is not JsonArray { Count: > 0 } list)
            throw new OpenAiError(400, "messages must be a non-empty list", "messages");
        var parsed = list.Select((m, i) =>
        {
            if (m is not JsonObject message)
                throw new OpenAiError(400, $"messages[{i}] must be an object with a role and content", $"messages[{i}]");
            var role = message["role"] is JsonValue r && r.TryGetValue<string>(out var roleName) ? roleName : null;
            if (role is not ("system" or "user" or "assistant" or "developer" or "tool"))
                throw new OpenAiError(400, $"messages[{i}].role must be system, user, assistant, developer or tool", $"messages[{i}].role");
            return new ChatMessage(role == "developer" ? "system" : role, Content(message["content"], i));
        }).ToList();
        // Contents too long for the window are refused before the template renders them and the tokenizer reads them.
        PromptBounds.CheckLength(engine, parsed.Sum(m => (long)m.Content.Length), "messages");
        var source = engine.Tokenizer.ChatTemplate ?? DefaultChatTemplate.Source;
        var template = Compiled.GetOrAdd(source, ChatTemplate.Parse);
        if (continueFinalMessage && parsed[^1].Role != "assistant")
            throw new OpenAiError(400, "continue_final_message needs the last message to be the assistant's", "messages");
        try
        {
            var rendered = template.Render(parsed, addGenerationPrompt: !continueFinalMessage, new Dictionary<string, object?>
            {
                ["bos_token"] = engine.Tokenizer.BosId is { } bos ? engine.Tokenizer.IdToToken(bos) : "",
                ["eos_token"] = engine.Tokenizer.EosIds.Count > 0 ? engine.Tokenizer.IdToToken(engine.Tokenizer.EosIds[0]) : "",
            });
            return continueFinalMessage ? CutAfterFinalContent(rendered, parsed[^1].Content) : rendered;
        }
        catch (ChatTemplateException e)
        {
            throw new OpenAiError(400, $"the model's chat template refused these messages: {e.Message}", "messages");
        }
    }

    /// <summary>The rendered prompt up to the end of the final message's content, as vLLM cuts it: its end of turn goes.</summary>
    private static string CutAfterFinalContent(string rendered, string content)
    {
        var at = rendered.LastIndexOf(content, StringComparison.Ordinal);
        if (at < 0)
            throw new OpenAiError(400, "the chat template does not render the final message's content as it is, so it cannot be continued", "messages");
        return rendered[..(at + content.Length)];
    }

    /// <summary>Content as a string, or OpenAI's list of parts of which only text parts are supported.</summary>
    private static string Content(JsonNode? content, int index) => content switch
    {
        JsonValue v when v.TryGetValue<string>(out var text) => text,
        JsonArray parts => string.Concat(parts.Select(p => p is JsonObject part && Text(part["type"]) == "text"
            ? part["text"] is null ? "" : Text(part["text"]) ?? throw new OpenAiError(400, "a text part's text must be a string", $"messages[{index}].content")
            : throw new OpenAiError(400, "only text content parts are supported", $"messages[{index}].content"))),
        null => "",
        _ => throw new OpenAiError(400, "content must be a string or a list of text parts", $"messages[{index}].content"),
    };

    private static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;
}
