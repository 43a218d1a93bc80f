using SkyServe.Inference.ChatTemplates;
using SkyServe.Testing;

namespace SkyServe.Inference.Tests.ChatTemplates;

/// <summary>
/// Real models' templates render a system + user + assistant + user conversation exactly as
/// transformers' apply_chat_template would; the expected strings are worked out from each template.
/// </summary>
public sealed class RealChatTemplateTests
{
    private const string Llama3Header = "<|start_header_id|>assistant<|end_header_id|>\n\n";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Llama_3_1_instruct(bool addGenerationPrompt)
    {
        var rendered = Render(RealChatTemplates.Llama31Instruct, addGenerationPrompt, Conversations.Tokens("<|begin_of_text|>", "<|eot_id|>"));

        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
            + "You are a helpful assistant.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there! How can I help?<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
            + (addGenerationPrompt ? Llama3Header : ""),
            rendered);
    }

    [Fact]
    public void Llama_3_1_lists_builtin_tools_except_the_code_interpreter_and_trims_content()
    {
        var extra = Conversations.Tokens("<|begin_of_text|>", "<|eot_id|>");
        extra["builtin_tools"] = new[] { "brave_search", "code_interpreter", "wolfram_alpha" };
        extra["date_string"] = "01 Feb 2025";

        var rendered = ChatTemplate.Parse(RealChatTemplates.Llama31Instruct)
            .Render([new("system", "  Be brief.\n"), new("user", "\tHi \n")], addGenerationPrompt: true, extra);

        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            + "Environment: ipython\nTools: brave_search, wolfram_alpha\n\n"
            + "Cutting Knowledge Date: December 2023\nToday Date: 01 Feb 2025\n\n"
            + "Be brief.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            + Llama3Header,
            rendered);
    }

    [Fact]
    public void Llama_3_2_dates_the_prompt_with_strftime_now_and_puts_tools_in_the_first_user_message()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero));
        var extra = Conversations.Tokens("<|begin_of_text|>", "<|eot_id|>");
        extra["tools"] = Conversations.WeatherTool();

        var rendered = ChatTemplate.Parse(RealChatTemplates.Llama32Instruct, clock)
            .Render(Conversations.SystemAndWeatherQuestion, addGenerationPrompt: true, extra);

        Assert.Equal(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            + "Environment: ipython\nCutting Knowledge Date: December 2023\nToday Date: 05 Jan 2026\n\n"
            + "You are a helpful assistant.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\n"
            + "Given the following functions, please respond with a JSON for a function call "
            + "with its proper arguments that best answers the given prompt.\n\n"
            + "Respond in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}."
            + "Do not use variables.\n\n"
            + """
              {
                  "type": "function",
                  "function": {
                      "name": "get_weather",
                      "description": "Get the weather",
                      "parameters": {
                          "type": "object",
                          "properties": {
                              "city": {
                                  "type": "string"
                              }
                          },
                          "required": [
                              "city"
                          ]
                      }
                  }
              }
              """
            + "\n\nWeather in Paris?<|eot_id|>"
            + Llama3Header,
            rendered);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Qwen_2_5_instruct(bool addGenerationPrompt)
    {
        var rendered = Render(RealChatTemplates.Qwen25Instruct, addGenerationPrompt, Conversations.Tokens("", "<|im_end|>"));

        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nHello!<|im_end|>\n"
            + "<|im_start|>assistant\nHi there! How can I help?<|im_end|>\n"
            + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
            + (addGenerationPrompt ? "<|im_start|>assistant\n" : ""),
            rendered);
    }

    [Fact]
    public void Qwen_2_5_adds_its_default_system_prompt_when_there_is_none()
    {
        var rendered = ChatTemplate.Parse(RealChatTemplates.Qwen25Instruct).Render([new("user", "Hello!")], addGenerationPrompt: true);

        Assert.Equal(
            "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n",
            rendered);
    }

    [Fact]
    public void Qwen_2_5_lists_tools_as_compact_json_in_the_system_message()
    {
        var rendered = ChatTemplate.Parse(RealChatTemplates.Qwen25Instruct).Render(
            Conversations.SystemAndWeatherQuestion, addGenerationPrompt: true, new Dictionary<string, object?> { ["tools"] = Conversations.WeatherTool() });

        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.\n\n# Tools\n\n"
            + "You may call one or more functions to assist with the user query.\n\n"
            + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n"
            + """{"type": "function", "function": {"name": "get_weather", "description": "Get the weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}"""
            + "\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n"
            + "<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n"
            + "<|im_start|>user\nWeather in Paris?<|im_end|>\n<|im_start|>assistant\n",
            rendered);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TinyLlama_and_zephyr(bool addGenerationPrompt)
    {
        var rendered = Render(RealChatTemplates.TinyLlamaZephyr, addGenerationPrompt, Conversations.Tokens("<s>", "</s>"));

        Assert.Equal(
            "<|system|>\nYou are a helpful assistant.</s>\n"
            + "<|user|>\nHello!</s>\n"
            + "<|assistant|>\nHi there! How can I help?</s>\n"
            + "<|user|>\nWhat is 2+2?</s>\n"
            + (addGenerationPrompt ? "<|assistant|>\n" : ""),
            rendered);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Llama_2_chat_folds_the_system_prompt_into_the_first_instruction(bool addGenerationPrompt)
    {
        var rendered = Render(RealChatTemplates.Llama2Chat, addGenerationPrompt, Conversations.Tokens("<s>", "</s>"));

        // Llama 2's template has no generation prompt: the prompt ends with [/INST] either way.
        Assert.Equal(
            "<s>[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\nHello! [/INST]"
            + " Hi there! How can I help? </s>"
            + "<s>[INST] What is 2+2? [/INST]",
            rendered);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SmolLM2_chatml(bool addGenerationPrompt)
    {
        var rendered = Render(RealChatTemplates.SmolLM2Instruct, addGenerationPrompt, Conversations.Tokens("<|im_start|>", "<|im_end|>"));

        Assert.Equal(
            "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
            + "<|im_start|>user\nHello!<|im_end|>\n"
            + "<|im_start|>assistant\nHi there! How can I help?<|im_end|>\n"
            + "<|im_start|>user\nWhat is 2+2?<|im_end|>\n"
            + (addGenerationPrompt ? "<|im_start|>assistant\n" : ""),
            rendered);
    }

    [Fact]
    public void SmolLM2_adds_its_default_system_prompt_when_there_is_none()
    {
        var rendered = ChatTemplate.Parse(RealChatTemplates.SmolLM2Instruct).Render([new("user", "Hi")], addGenerationPrompt: true);

        Assert.Equal(
            "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
            + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n",
            rendered);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Mistral_nemo_puts_the_system_prompt_in_the_last_user_turn(bool addGenerationPrompt)
    {
        var rendered = Render(RealChatTemplates.MistralNemoInstruct, addGenerationPrompt, Conversations.Tokens("<s>", "</s>"));

        Assert.Equal(
            "<s>[INST]Hello![/INST]Hi there! How can I help?</s>[INST]You are a helpful assistant.\n\nWhat is 2+2?[/INST]",
            rendered);
    }

    [Fact]
    public void Mistral_nemo_writes_available_tools_before_the_last_user_turn()
    {
        var extra = Conversations.Tokens("<s>", "</s>");
        extra["tools"] = Conversations.WeatherTool();

        var rendered = ChatTemplate.Parse(RealChatTemplates.MistralNemoInstruct).Render(Conversations.UserAssistantUser, addGenerationPrompt: true, extra);

        Assert.Equal(
            "<s>[INST]Hello![/INST]Hi there! How can I help?</s>"
            + """[AVAILABLE_TOOLS][{"type": "function", "function": {"name": "get_weather", "description": "Get the weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}][/AVAILABLE_TOOLS]"""
            + "[INST]What is 2+2?[/INST]",
            rendered);
    }

    [Fact]
    public void Mixtral_instruct()
    {
        var rendered = ChatTemplate.Parse(RealChatTemplates.MixtralInstruct)
            .Render(Conversations.UserAssistantUser, addGenerationPrompt: true, Conversations.Tokens("<s>", "</s>"));

        Assert.Equal("<s>[INST] Hello! [/INST]Hi there! How can I help?</s>[INST] What is 2+2? [/INST]", rendered);
    }

    private static string Render(string template, bool addGenerationPrompt, IReadOnlyDictionary<string, object?> extra) =>
        ChatTemplate.Parse(template).Render(Conversations.SystemUserAssistantUser, addGenerationPrompt, extra);
}
