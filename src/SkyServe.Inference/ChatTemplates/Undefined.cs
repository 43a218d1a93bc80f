namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// Jinja's Undefined: a missing variable, key or attribute. It prints as nothing, is false, has length 0
/// and iterates as empty, but arithmetic, ordering, calls and lookups on it fail with its description.
/// </summary>
internal sealed class Undefined(string description)
{
    public string Description => description;

    public static Undefined Variable(string name) => new($"'{name}' is undefined");

    public static Undefined Attribute(object? owner, string name) =>
        new($"{OwnerText(owner)} has no attribute '{name}'");

    public static Undefined Element(object? owner, object? key) =>
        new($"{OwnerText(owner)} has no element {ValueText.Repr(key)}");

    public ChatTemplateException Failure() => new(description);

    private static string OwnerText(object? owner) => owner is null ? "'None'" : $"'{TemplateValues.TypeName(owner)} object'";
}
