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
    /// <param name="supplied">
    /// Values given beside the spec (<c>--env</c>, <c>--secret</c>): they fill null values, override the spec's and add
    /// names the spec lacks, as SkyPilot's CLI does.
    /// </param>
    public IReadOnlyDictionary<string, string> Read(
        YamlNode? node, string path, Regex namePattern, string nameRule, Func<string, string>? nullValueMessage = null,
        IReadOnlyDictionary<string, string>? supplied = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (node is null || YamlScalars.IsNull(node))
            return supplied is { Count: > 0 } ? new ReadOnlyDictionary<string, string>(new Dictionary<string, string>(supplied)) : EmptyMaps.Strings;
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
            if (supplied is not null && supplied.TryGetValue(name, out var given))
            {
                values[name] = given;
                continue;
            }
            if (YamlScalars.IsNull(valueNode))
            {
                context.Error(entryPath, keyNode, nullValueMessage?.Invoke(name) ?? $"'{name}' has no value");
                continue;
            }
            if (scalars.Text(valueNode, entryPath) is { } value)
                values[name] = value;
        }
        foreach (var (name, value) in supplied ?? EmptyMaps.Strings)
            values.TryAdd(name, value);
        return new ReadOnlyDictionary<string, string>(values);
    }
}
