namespace SkyServe.Inference.ChatTemplates;

/// <summary>A Python tuple: (a, b) in a template, or a (key, value) pair from items().</summary>
internal sealed class TemplateTuple(params object?[] items)
{
    public object?[] Items => items;
}
