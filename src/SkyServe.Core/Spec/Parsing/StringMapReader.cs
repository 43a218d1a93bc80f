using System.Collections.ObjectModel;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// Reads a free-form mapping of names to strings (<c>envs</c>, probe <c>headers</c>, <c>labels</c>), checking each
/// name against a pattern. Numbers and booleans become their text, as SkyPilot does for env values.
/// </summary>
internal sealed class StringMapReader(SpecReadContext context)
{
    public IReadOnlyDictionary<string, string> Read(
        YamlNode? node, string path, Regex namePattern, string nameRule, Func<string, string>? nullValueMessage = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is null || YamlScalars.IsNull(node))
            return EmptyMaps.Strings;
        if (node is not YamlMappingNode mapping)
        {
            context.Error(path, node, $"expected a mapping of names to values, got {YamlScalars.Describe(node)}");
            return EmptyMaps.Strings;
        }
        context.Remember(path, node);
        var scalars = new ScalarReader(context);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } name } || YamlScalars.IsNull(keyNode) || !namePattern.IsMatch(name))
            {
                context.Error(path, keyNode, $"invalid name {YamlScalars.Describe(keyNode)}: {nameRule}");
                continue;
            }
            var entryPath = SpecPath.Child(path, name);
            context.Remember(entryPath, valueNode);
            if (YamlScalars.IsNull(valueNode))
            {
                context.Error(entryPath, keyNode, nullValueMessage?.Invoke(name) ?? $"'{name}' has no value");
                continue;
            }
            if (scalars.Text(valueNode, entryPath) is { } value)
                values[name] = value;
        }
        return new ReadOnlyDictionary<string, string>(values);
    }
}
