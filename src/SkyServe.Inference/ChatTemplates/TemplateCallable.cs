namespace SkyServe.Inference.ChatTemplates;

/// <summary>Anything a template can call: a global such as raise_exception, a macro, or a bound method like message.content.strip.</summary>
internal sealed class TemplateCallable(string name, Func<CallArguments, RenderState, object?> invoke)
{
    public string Name => name;

    public object? Invoke(CallArguments arguments, RenderState state) => invoke(arguments, state);
}
