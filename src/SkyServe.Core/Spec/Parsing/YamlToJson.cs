using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// Converts a YAML subtree (the mapping form of <c>post_data</c>) to JSON: plain scalars become null, booleans
/// and numbers as in the rest of the spec, quoted ones strings. Aliases can make a small text expand enormously, so the number of
/// nodes written is capped.
/// </summary>
internal sealed class YamlToJson(SpecReadContext context)
{
    public const int MaxNodes = 10_000;

    private int written;

    public JsonNode? Convert(YamlNode node, string path)
    {
        if (++written > MaxNodes)
        {
            if (written == MaxNodes + 1)
                context.Error(path, node, $"more than {MaxNodes} values (aliases expand too far)");
            return null;
        }
        switch (node)
        {
            case YamlMappingNode mapping:
                var result = new JsonObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        context.Error(path, keyNode, "JSON object keys must be strings");
                        continue;
                    }
                    result[key] = Convert(valueNode, SpecPath.Child(path, key));
                }
                return result;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                for (var index = 0; index < sequence.Children.Count; index++)
                    array.Add(Convert(sequence.Children[index], SpecPath.Item(path, index)));
                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                return null;
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (!YamlScalars.IsPlain(scalar))
            return JsonValue.Create(text);
        if (YamlScalars.IsNullText(text))
            return null;
        if (YamlScalars.TryBoolean(text, out var boolean))
            return JsonValue.Create(boolean);
        if (YamlScalars.TryInteger(text, out var integer, out _))
            return JsonValue.Create(integer);
        if (YamlScalars.TryNumber(text, out var number))
            return JsonValue.Create(number);
        return JsonValue.Create(text);
    }
}
