using System.Collections.Immutable;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Catalog.Parsing;

/// <summary>Reads typed values out of one file's YAML nodes; every failure names the file, line and key path.</summary>
internal sealed class CatalogNodeReader(string fileName)
{
    public string FileName => fileName;

    public static string Child(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";

    public static string Item(string path, int index) => $"{path}[{index}]";

    public CatalogException Error(YamlNode? node, string? path, string detail) =>
        new(fileName, node is null ? 0 : checked((int)node.Start.Line), node is null ? 0 : checked((int)node.Start.Column),
            string.IsNullOrEmpty(path) ? null : path, detail);

    public YamlMappingNode Mapping(YamlNode node, string path, string what) =>
        node as YamlMappingNode ?? throw Error(node, path, $"expected {what} (a mapping), got {Describe(node)}");

    public YamlSequenceNode List(YamlNode node, string path, string what)
    {
        if (node is not YamlSequenceNode sequence)
            throw Error(node, path, $"expected a list of {what}, got {Describe(node)}");
        if (sequence.Children.Count == 0)
            throw Error(node, path, $"the list of {what} is empty");
        return sequence;
    }

    /// <summary>Unknown keys are errors: a misspelt optional key would otherwise be silently ignored.</summary>
    public void AllowOnly(YamlMappingNode mapping, string path, params string[] keys)
    {
        foreach (var key in mapping.Children.Keys)
        {
            if (key is not YamlScalarNode { Value: { } name })
                throw Error(key, path, $"keys must be plain names, got {Describe(key)}");
            if (!keys.Contains(name, StringComparer.Ordinal))
                throw Error(key, Child(path, name), $"unknown key (expected one of: {string.Join(", ", keys)})");
        }
    }

    public static YamlNode? Optional(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) && !IsNull(value) ? value : null;

    public YamlNode Required(YamlMappingNode mapping, string path, string key) =>
        Optional(mapping, key) ?? throw Error(mapping, path, $"missing key '{key}'");

    /// <summary>A name: one line, no spaces (cloud, region, zone and instance-type names never have any).</summary>
    public string Name(YamlNode node, string path)
    {
        var text = Scalar(node, path, "a name");
        if (text.Length == 0 || text.Any(char.IsWhiteSpace))
            throw Error(node, path, $"expected a name without spaces, got '{text}'");
        return text;
    }

    public int Count(YamlNode node, string path, int minimum)
    {
        var text = Scalar(node, path, "a whole number");
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < minimum)
            throw Error(node, path, $"expected a whole number of at least {minimum}, got '{text}'");
        return value;
    }

    public double Size(YamlNode node, string path)
    {
        var text = Scalar(node, path, "a number");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value <= 0)
            throw Error(node, path, $"expected a positive number, got '{text}'");
        return value;
    }

    /// <summary>USD per hour; decimal so that prices add up the way a bill does.</summary>
    public decimal Price(YamlNode node, string path)
    {
        var text = Scalar(node, path, "a price");
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0)
            throw Error(node, path, $"expected a positive price in USD per hour, got '{text}'");
        return value;
    }

    public bool Flag(YamlNode node, string path)
    {
        var text = Scalar(node, path, "true or false");
        return text switch
        {
            "true" or "True" => true,
            "false" or "False" => false,
            _ => throw Error(node, path, $"expected true or false, got '{text}'"),
        };
    }

    /// <summary>A non-empty list of distinct names, e.g. a region's zones.</summary>
    public ImmutableArray<string> Names(YamlNode node, string path, string what)
    {
        var sequence = List(node, path, what);
        var names = new List<string>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var name = Name(sequence.Children[i], Item(path, i));
            if (names.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw Error(sequence.Children[i], Item(path, i), $"'{name}' is listed twice");
            names.Add(name);
        }
        return [.. names];
    }

    private string Scalar(YamlNode node, string path, string what)
    {
        if (node is not YamlScalarNode scalar || IsNull(node))
            throw Error(node, path, $"expected {what}, got {Describe(node)}");
        return scalar.Value!.Trim();
    }

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ when IsNull(node) => "nothing",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        _ => "an alias",
    };
}
