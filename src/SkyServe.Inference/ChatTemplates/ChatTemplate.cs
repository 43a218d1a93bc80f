namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// A Hugging Face chat template (tokenizer_config.json "chat_template" or chat_template.jinja), parsed
/// once and rendered per request the way transformers' apply_chat_template does: Jinja with trim_blocks
/// and lstrip_blocks, raise_exception and strftime_now, and tojson as json.dumps. The interpreter covers
/// the Jinja subset real templates use; anything else fails at <see cref="Parse"/> with its line and column.
/// </summary>
public sealed class ChatTemplate
{
    private static readonly IReadOnlyDictionary<string, object?> NoExtra = new Dictionary<string, object?>();

    private readonly CompiledStatement body;
    private readonly TimeProvider clock;

    private ChatTemplate(string source, CompiledStatement body, TimeProvider clock)
    {
        Source = source;
        this.body = body;
        this.clock = clock;
    }

    /// <summary>The template text as given.</summary>
    public string Source { get; }

    /// <summary>Parses a template whose strftime_now reads the system clock.</summary>
    /// <exception cref="ChatTemplateException">Syntax this interpreter does not support, or a malformed template.</exception>
    public static ChatTemplate Parse(string source) => Parse(source, TimeProvider.System);

    /// <param name="source">The Jinja source.</param>
    /// <param name="clock">What strftime_now reads (local time, as Python's datetime.now()).</param>
    /// <exception cref="ChatTemplateException">Syntax this interpreter does not support, or a malformed template.</exception>
    public static ChatTemplate Parse(string source, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(clock);
        var tokens = TemplateLexer.Tokenize(source);
        return new ChatTemplate(source, TemplateParser.Parse(tokens), clock);
    }

    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt) =>
        Render(messages, addGenerationPrompt, NoExtra);

    /// <summary>
    /// Renders the prompt. The template sees messages (each with role and content),
    /// add_generation_prompt, tools (none), bos_token and eos_token (empty text unless
    /// <paramref name="extra"/> gives them) and every entry of <paramref name="extra"/>: strings, numbers,
    /// booleans, null, lists, dictionaries and JSON elements.
    /// </summary>
    /// <exception cref="ChatTemplateRaisedException">The template rejected the conversation (raise_exception).</exception>
    /// <exception cref="ChatTemplateException">The template failed, e.g. on an undefined value.</exception>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt, IReadOnlyDictionary<string, object?> extra)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentNullException.ThrowIfNull(extra);
        var context = new Scope(BuiltinGlobals.Scope);
        // Hugging Face passes the tokenizer's special tokens; empty text keeps `bos_token + ...` working without one.
        context.Set("bos_token", "");
        context.Set("eos_token", "");
        context.Set("tools", null);
        foreach (var (name, value) in extra)
        {
            if (name is "messages" or "add_generation_prompt")
                throw new ArgumentException($"'{name}' is set by the Render arguments, not by extra", nameof(extra));
            context.Set(name, TemplateValues.FromClr(value));
        }
        context.Set("messages", messages.Select(message => (object?)TemplateValues.MessageMapping(message)).ToList());
        context.Set("add_generation_prompt", addGenerationPrompt);

        var state = new RenderState(context, clock);
        body(state);
        return state.Output.ToString();
    }
}
