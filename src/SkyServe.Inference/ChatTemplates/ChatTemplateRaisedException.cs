namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// The template rejected the conversation itself with raise_exception(...), such as Llama 2's
/// "Conversation roles must alternate user/assistant/user/assistant/...". That is the caller's
/// mistake, not the template's, so Message is the template's own text, unchanged.
/// </summary>
public sealed class ChatTemplateRaisedException : ChatTemplateException
{
    internal ChatTemplateRaisedException(string reason, int? line = null, int? column = null)
        : base(reason, reason, line, column)
    {
    }

    internal override ChatTemplateException At(SourcePosition position) =>
        new ChatTemplateRaisedException(Reason, position.Line, position.Column);
}
