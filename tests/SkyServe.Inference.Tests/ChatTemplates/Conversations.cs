using System.Text.Json;
using SkyServe.Inference.ChatTemplates;

namespace SkyServe.Inference.Tests.ChatTemplates;

/// <summary>Conversations and tool lists the chat template tests render.</summary>
internal static class Conversations
{
    public static readonly ChatMessage[] SystemUserAssistantUser =
    [
        new("system", "You are a helpful assistant."),
        new("user", "Hello!"),
        new("assistant", "Hi there! How can I help?"),
        new("user", "What is 2+2?"),
    ];

    public static readonly ChatMessage[] UserAssistantUser = SystemUserAssistantUser[1..];

    public static readonly ChatMessage[] SystemAndWeatherQuestion =
    [
        new("system", "You are a helpful assistant."),
        new("user", "Weather in Paris?"),
    ];

    /// <summary>An OpenAI-style tools list, as the endpoint would pass it on (JSON).</summary>
    public static JsonElement WeatherTool() => JsonDocument.Parse(
        """
        [{"type": "function", "function": {"name": "get_weather", "description": "Get the weather",
          "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
        """).RootElement;

    public static Dictionary<string, object?> Tokens(string bos, string eos) => new() { ["bos_token"] = bos, ["eos_token"] = eos };
}
