using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>Turns spec text (YAML, or JSON which is YAML too) into the top-level mapping node, or errors.</summary>
internal static class SpecDocumentLoader
{
    /// <summary>A spec is a page of YAML; anything this large is a mistake or an attack.</summary>
    public const int MaxLength = 1024 * 1024;

    public static YamlMappingNode? Load(string? text, SpecReadContext context)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            context.Error(SpecPath.Root, new Mark(0, 1, 1), "the spec is empty");
            return null;
        }
        if (text.Length > MaxLength)
        {
            context.Error(SpecPath.Root, new Mark(0, 1, 1), $"the spec is larger than {MaxLength / 1024} KiB");
            return null;
        }
        text = TabsToSpacesForJson(text.TrimStart('\uFEFF'));
        if (!new YamlStructureScanner(context).Scan(text))
            return null;

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException exception)
        {
            // The scanner has already seen the syntax; what is left here is e.g. an alias to an unknown anchor.
            context.Error(SpecPath.Root, exception.Start, $"YAML error: {exception.Message.Trim()}");
            return null;
        }

        var root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        if (root is null || YamlScalars.IsNull(root))
        {
            context.Error(SpecPath.Root, root?.Start ?? new Mark(0, 1, 1), "the spec is empty");
            return null;
        }
        if (root is not YamlMappingNode mapping)
        {
            context.Error(SpecPath.Root, root, $"expected a mapping of spec keys (name, service, resources, ...) at the top level, got {YamlScalars.Describe(root)}");
            return null;
        }
        return mapping;
    }

    /// <summary>One YAML value given outside the spec (a command-line flag such as <c>--gpus {L4:1, A10G:1}</c>); errors go under <paramref name="path"/>.</summary>
    public static YamlNode? LoadValue(string text, SpecReadContext context, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException exception)
        {
            context.Error(path, new Mark(0, 1, 1), $"'{text}' is not a valid value: {exception.Message.Trim()}");
            return null;
        }
        var root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode;
        if (root is null || YamlScalars.IsNull(root))
            context.Error(path, new Mark(0, 1, 1), "no value given");
        return YamlScalars.IsNull(root) ? null : root;
    }

    /// <summary>
    /// JSON allows tabs for indentation where YAML does not. In JSON a tab can only be whitespace (inside a
    /// string it must be escaped), so replacing each with one space keeps the meaning and every column.
    /// </summary>
    private static string TabsToSpacesForJson(string text)
    {
        var first = text.AsSpan().TrimStart();
        return first.Length > 0 && first[0] is '{' or '[' ? text.Replace('\t', ' ') : text;
    }
}
