using SkyServe.Inference.ChatTemplates;

namespace SkyServe.Inference.Tests.ChatTemplates;

/// <summary>Templates that cannot be parsed or rendered fail with a clear message and the line and column.</summary>
public sealed class ChatTemplateErrorTests
{
    [Fact]
    public void An_unknown_tag_is_named_with_its_position()
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("Hi\n  {{ x }} {% include 'other.jinja' %}"));

        Assert.Equal("unknown tag 'include'", error.Reason);
        Assert.Equal((2, 14), (error.Line, error.Column));
        Assert.Contains("line 2, column 14", error.Message);
    }

    [Fact]
    public void An_unclosed_block_points_at_its_opening_tag()
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{% for m in messages %}\n{{ m.content }}"));

        Assert.Equal("unclosed 'for' block: expected 'else' or 'endfor' before the end of the template", error.Reason);
        Assert.Equal((1, 4), (error.Line, error.Column));
    }

    [Fact]
    public void A_closing_tag_for_the_wrong_block_names_the_block_that_is_open()
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse("{% if a %}\n{% for x in y %}\n{% endif %}"));

        Assert.Equal("unexpected 'endif': the innermost open block is 'for' (line 2), which expects 'else' or 'endfor'", error.Reason);
        Assert.Equal((3, 4), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("{% endfor %}", "unexpected 'endfor': no block is open")]
    [InlineData("{{ name ", "unclosed '{{': expected '}}'")]
    [InlineData("{% if x ", "unclosed '{%': expected '%}'")]
    [InlineData("{# note", "unclosed comment: '{#' has no matching '#}'")]
    [InlineData("{{ 'open }}", "unterminated string literal")]
    [InlineData("{{ x | shout }}", "unknown filter 'shout'")]
    [InlineData("{{ x is purple }}", "unknown test 'purple'")]
    [InlineData("{{ (1 + 2 }}", "unexpected '}': the '(' before it is not closed")]
    [InlineData("{{ x + }}", "expected an expression but found '}}'")]
    [InlineData("{{ }}", "expected an expression but found '}}'")]
    [InlineData("{{ a ? b }}", "unexpected character '?'")]
    [InlineData("{% break %}", "'break' outside of a for loop")]
    [InlineData("{% for x in xs recursive %}{% endfor %}", "recursive loops are not supported")]
    [InlineData("{% set true = 1 %}", "cannot assign to 'true'")]
    [InlineData("{{ f(*args) }}", "*args and **kwargs in calls are not supported")]
    public void Unsupported_or_malformed_syntax_fails_at_parse_time(string source, string reason)
    {
        var error = Assert.Throws<ChatTemplateException>(() => ChatTemplate.Parse(source));

        Assert.Equal(reason, error.Reason);
        Assert.NotNull(error.Line);
    }

    [Fact]
    public void Llama_2_rejects_roles_that_do_not_alternate_with_the_templates_own_message()
    {
        var template = ChatTemplate.Parse(RealChatTemplates.Llama2Chat);
        ChatMessage[] messages = [new("user", "Hello!"), new("user", "Anyone there?")];

        var error = Assert.Throws<ChatTemplateRaisedException>(() => template.Render(messages, addGenerationPrompt: true));

        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", error.Message);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void Mixtral_rejects_a_system_message()
    {
        var template = ChatTemplate.Parse(RealChatTemplates.MixtralInstruct);
        ChatMessage[] messages = [new("user", "Hi"), new("system", "Be nice")];

        var error = Assert.Throws<ChatTemplateRaisedException>(() => template.Render(messages, addGenerationPrompt: true));

        Assert.Equal("Only user and assistant roles are supported!", error.Message);
    }

    [Fact]
    public void An_attribute_of_an_undefined_variable_fails_at_render_with_its_position()
    {
        var template = ChatTemplate.Parse("{% for m in messages %}\n  {{ m.content }}{{ missing.name }}\n{% endfor %}");

        var error = Assert.Throws<ChatTemplateException>(() => template.Render([new("user", "Hi")], addGenerationPrompt: false));

        Assert.IsNotType<ChatTemplateRaisedException>(error);
        Assert.Equal("'missing' is undefined", error.Reason);
        Assert.Equal((2, 29), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("{{ 'a' + 1 }}", "can only concatenate str (not \"int\") to str")]
    [InlineData("{{ 1 - 'a' }}", "unsupported operand type(s) for -: 'int' and 'str'")]
    [InlineData("{{ 1 / 0 }}", "division by zero")]
    [InlineData("{{ 1 < 'a' }}", "'<' not supported between instances of 'int' and 'str'")]
    [InlineData("{{ missing + 1 }}", "'missing' is undefined")]
    [InlineData("{{ messages[0].role.nope() }}", "'str object' has no attribute 'nope'")]
    [InlineData("{{ 5 | length }}", "object of type 'int' has no len()")]
    [InlineData("{% for x in 5 %}{% endfor %}", "'int' object is not iterable")]
    [InlineData("{% set a, b = [1] %}", "not enough values to unpack (expected 2, got 1)")]
    [InlineData("{% set s = 'x' %}{% set s.y = 1 %}", "cannot assign attribute 'y' on 's', which is not a namespace()")]
    [InlineData("{{ {'a': missing} | tojson }}", "Object of type Undefined is not JSON serializable ('missing' is undefined)")]
    [InlineData("{{ strftime_now('%Q') }}", "strftime_now: unsupported directive '%Q'")]
    [InlineData("{{ 'x'.strip(1, 2) }}", "str.strip() takes at most 1 argument (2 given)")]
    [InlineData("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "calls to 'm' nest more than 64 deep")]
    public void Type_errors_and_undefined_values_fail_at_render(string source, string reason)
    {
        var template = ChatTemplate.Parse(source);

        var error = Assert.Throws<ChatTemplateException>(() => template.Render([new("user", "Hi")], addGenerationPrompt: false));

        Assert.Equal(reason, error.Reason);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void Extra_cannot_replace_messages_or_the_generation_prompt_flag()
    {
        var template = ChatTemplate.Parse("{{ messages | length }}");

        Assert.Throws<ArgumentException>(() => template.Render([], false, new Dictionary<string, object?> { ["messages"] = "x" }));
        Assert.Throws<ArgumentException>(() => template.Render([], false, new Dictionary<string, object?> { ["add_generation_prompt"] = true }));
    }

    [Fact]
    public void Extra_of_a_type_a_template_cannot_use_is_rejected()
    {
        var template = ChatTemplate.Parse("{{ when }}");

        Assert.Throws<ArgumentException>(() => template.Render([], false, new Dictionary<string, object?> { ["when"] = DateTime.UnixEpoch }));
    }
}
