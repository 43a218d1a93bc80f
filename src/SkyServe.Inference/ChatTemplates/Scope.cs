namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// One level of variables. Like Jinja, every loop iteration and macro call gets its own scope, so a
/// {% set %} inside them is gone afterwards (templates use namespace() to carry values out).
/// </summary>
internal sealed class Scope(Scope? parent)
{
    private readonly Dictionary<string, object?> variables = new(StringComparer.Ordinal);
    private readonly Scope? parent = parent;

    public void Set(string name, object? value) => variables[name] = value;

    public bool TryLookup(string name, out object? value)
    {
        for (var scope = this; scope is not null; scope = scope.parent)
            if (scope.variables.TryGetValue(name, out value))
                return true;
        value = null;
        return false;
    }
}
