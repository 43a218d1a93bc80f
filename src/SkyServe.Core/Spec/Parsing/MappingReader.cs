using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// One mapping of the spec with a fixed set of keys: rejects unknown keys up front, remembers where each key's
/// value sits, and reads values by key with <see cref="ScalarReader"/>. A key whose value is YAML null reads
/// as absent, as SkyPilot's <c>dict.get</c> does.
/// </summary>
internal sealed class MappingReader
{
    private readonly SpecReadContext context;
    private readonly ScalarReader scalars;
    private readonly Dictionary<string, KeyValuePair<YamlNode, YamlNode>> entries = new(StringComparer.Ordinal);

    public MappingReader(SpecReadContext context, YamlMappingNode node, string path, SpecKeys keys)
    {
        this.context = context;
        scalars = new ScalarReader(context);
        Node = node;
        Path = path;
        context.Remember(path, node);
        foreach (var entry in node.Children)
        {
            if (entry.Key is not YamlScalarNode { Value: { } key } || YamlScalars.IsNull(entry.Key))
            {
                context.Error(path, entry.Key, $"keys must be plain names, got {YamlScalars.Describe(entry.Key)} (allowed: {keys.AllowedList})");
                continue;
            }
            var keyPath = SpecPath.Child(path, key);
            if (!keys.Allows(key))
            {
                context.Error(keyPath, entry.Key, UnknownKeyMessage(key, keys));
                continue;
            }
            context.Remember(keyPath, entry.Value);
            entries[key] = entry;
        }
    }

    public YamlMappingNode Node { get; }

    public string Path { get; }

    public ScalarReader Scalars => scalars;

    public bool Contains(string key) => entries.ContainsKey(key);

    /// <summary>The value node, or null when the key is absent or its value is YAML null.</summary>
    public YamlNode? Value(string key) =>
        entries.TryGetValue(key, out var entry) && !YamlScalars.IsNull(entry.Value) ? entry.Value : null;

    public YamlNode? KeyNode(string key) => entries.TryGetValue(key, out var entry) ? entry.Key : null;

    public string PathOf(string key) => SpecPath.Child(Path, key);

    public int? Integer(string key, int minimum = 0, int maximum = int.MaxValue) =>
        Value(key) is { } node ? scalars.Integer(node, PathOf(key), minimum, maximum) : null;

    public double? Number(string key, double minimum, double maximum) =>
        Value(key) is { } node ? scalars.Number(node, PathOf(key), minimum, maximum) : null;

    public bool? Boolean(string key) => Value(key) is { } node ? scalars.Boolean(node, PathOf(key)) : null;

    public string? Text(string key) => Value(key) is { } node ? scalars.Text(node, PathOf(key)) : null;

    public string? OneOf(string key, IReadOnlyList<string> names) =>
        Value(key) is { } node ? scalars.OneOf(node, PathOf(key), names) : null;

    /// <summary>A nested mapping with its own keys, or null (with an error when the value is not a mapping).</summary>
    public MappingReader? Mapping(string key, SpecKeys keys)
    {
        var node = Value(key);
        if (node is null)
            return null;
        if (node is YamlMappingNode mapping)
            return new MappingReader(context, mapping, PathOf(key), keys);
        context.Error(PathOf(key), node, $"expected a mapping, got {YamlScalars.Describe(node)}");
        return null;
    }

    /// <summary>Reports a key that must be present; the error carries the key's path and points at this mapping.</summary>
    public void Require(string key)
    {
        if (!entries.TryGetValue(key, out var entry) || YamlScalars.IsNull(entry.Value))
            context.Error(PathOf(key), Node, $"missing required key '{key}'");
    }

    private static string UnknownKeyMessage(string key, SpecKeys keys)
    {
        if (keys.UnsupportedReason(key) is { } reason)
            return $"unsupported key '{key}': {reason} (allowed: {keys.AllowedList})";
        var suggestion = KeySuggestion.Closest(key, keys.Allowed);
        var didYouMean = suggestion is null ? "" : $", did you mean '{suggestion}'?";
        return $"unknown key '{key}'{didYouMean} (allowed: {keys.AllowedList})";
    }
}
