namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// What namespace(...) returns: the one object a template may assign attributes on
/// ({% set ns.found = true %}), so a value set inside a loop survives it.
/// </summary>
internal sealed class TemplateNamespace
{
    public Dictionary<string, object?> Attributes { get; } = new(StringComparer.Ordinal);
}
