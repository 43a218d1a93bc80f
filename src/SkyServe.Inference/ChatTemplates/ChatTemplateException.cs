namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// A chat template that cannot be parsed or rendered: syntax this interpreter does not support, a type
/// error, or an undefined value used where Jinja would fail. Carries the line and column in the template
/// where known.
/// </summary>
public class ChatTemplateException : Exception
{
    internal ChatTemplateException(string reason, int? line = null, int? column = null)
        : this(line is null ? reason : $"{reason} (line {line}, column {column})", reason, line, column)
    {
    }

    private protected ChatTemplateException(string message, string reason, int? line, int? column)
        : base(message)
    {
        Reason = reason;
        Line = line;
        Column = column;
    }

    /// <summary>What went wrong, without the location.</summary>
    public string Reason { get; }

    /// <summary>1-based line in the template, when known.</summary>
    public int? Line { get; }

    /// <summary>1-based column in the template, when known.</summary>
    public int? Column { get; }

    /// <summary>The same error placed at a template position (the innermost position wins).</summary>
    internal virtual ChatTemplateException At(SourcePosition position) =>
        new ChatTemplateException(Reason, position.Line, position.Column);
}
