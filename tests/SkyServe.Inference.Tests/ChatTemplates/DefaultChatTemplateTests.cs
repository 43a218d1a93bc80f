using SkyServe.Inference.ChatTemplates;

namespace SkyServe.Inference.Tests.ChatTemplates;

/// <summary>The ChatML template used when a model folder has no chat template of its own.</summary>
public sealed class DefaultChatTemplateTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Renders_chatml(bool addGenerationPrompt)
    {
        var rendered = DefaultChatTemplate.Template.Render(Conversations.SystemUserAssistantUser, addGenerationPrompt);

        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nHello!<|im_end|>\n"
            + "<|im_start|>assistant\nHi there! How can I help?<|im_end|>\n"
            + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
            + (addGenerationPrompt ? "<|im_start|>assistant\n" : ""),
            rendered);
    }

    [Fact]
    public void Source_parses_to_the_same_output_as_the_shared_instance()
    {
        var messages = new ChatMessage[] { new("user", "x") };

        Assert.Equal(DefaultChatTemplate.Template.Render(messages, true), ChatTemplate.Parse(DefaultChatTemplate.Source).Render(messages, true));
    }
}
