namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// The chat template for models whose tokenizer has none: ChatML, the format of SmolLM2 and Qwen without
/// their default system prompts. Each message becomes
/// <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c>, and the generation prompt is
/// <c>&lt;|im_start|&gt;assistant\n</c>. Models not trained on ChatML will see these markers as plain text.
/// </summary>
public static class DefaultChatTemplate
{
    public const string Source =
        """
        {%- for message in messages %}
            {{- '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}
        {%- endfor %}
        {%- if add_generation_prompt %}
            {{- '<|im_start|>assistant\n' }}
        {%- endif %}
        """;

    public static ChatTemplate Template { get; } = ChatTemplate.Parse(Source);
}
