using System.Text.Json;
using SkyServe.Inference.ChatTemplates;
using SkyServe.Testing;

namespace SkyServe.Inference.Tests.ChatTemplates;

/// <summary>The committed tiny-llama chat template renders what transformers' apply_chat_template produced (expected.json "chat").</summary>
public sealed class FixtureChatTemplateTests
{
    [Fact]
    public void Tiny_llama_template_renders_the_transformers_reference_exactly()
    {
        var folder = Path.Combine(RepoPaths.Root, "tests", "fixtures", "tiny-llama");
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "expected.json")));
        var chat = expected.RootElement.GetProperty("chat");
        var messages = chat.GetProperty("messages").EnumerateArray()
            .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!))
            .ToList();
        var template = ChatTemplate.Parse(File.ReadAllText(Path.Combine(folder, "chat_template.jinja")));

        var rendered = template.Render(messages, addGenerationPrompt: true, new Dictionary<string, object?> { ["bos_token"] = "<|begin_of_text|>" });

        Assert.Equal(chat.GetProperty("rendered").GetString(), rendered);
    }
}
