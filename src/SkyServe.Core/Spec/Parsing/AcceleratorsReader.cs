using System.Globalization;
using SkyServe.Core.Catalog;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// Reads <c>accelerators</c> in SkyPilot's forms, all normalised to candidates: a string <c>A100:4</c>; a mapping
/// <c>{L4: 1, A10G: 1}</c>; a set <c>{L4:1, A10G:1}</c> or <c>{L4, A10G}</c> (YAML reads these as keys with null
/// values, and SkyPilot as <c>NAME:COUNT</c> strings), both meaning any of them; and a list <c>[L4, A10G:2]</c>
/// (in order of preference). Names take their catalog spelling, matched case-insensitively as SkyPilot does
/// (<c>a10g</c> is A10G); a name the catalog does not know is kept as written, for placement to explain.
/// </summary>
internal sealed class AcceleratorsReader(SpecReadContext context)
{
    public (IReadOnlyList<AcceleratorCandidate> Candidates, bool Ordered) Read(YamlNode? node, string path)
    {
        var candidates = new List<AcceleratorCandidate>();
        switch (node)
        {
            case null:
                return ([], false);
            case YamlScalarNode scalar:
                if (Parse(scalar, path) is { } single)
                    candidates.Add(single);
                return (candidates.AsReadOnly(), false);
            case YamlMappingNode mapping:
                context.Remember(path, mapping);
                foreach (var (keyNode, valueNode) in mapping.Children)
                    Add(candidates, FromMapEntry(keyNode, valueNode, path), keyNode, path);
                return (candidates.AsReadOnly(), false);
            case YamlSequenceNode sequence:
                context.Remember(path, sequence);
                for (var index = 0; index < sequence.Children.Count; index++)
                {
                    var item = sequence.Children[index];
                    var itemPath = SpecPath.Item(path, index);
                    if (item is YamlScalarNode itemScalar && !YamlScalars.IsNull(item))
                        Add(candidates, Parse(itemScalar, itemPath), item, itemPath);
                    else
                        context.Error(itemPath, item, $"expected an accelerator such as A100 or A100:4, got {YamlScalars.Describe(item)}");
                }
                return (candidates.AsReadOnly(), true);
            default:
                context.Error(path, node, $"expected an accelerator such as A100:4, a mapping or a list, got {YamlScalars.Describe(node)}");
                return ([], false);
        }
    }

    private void Add(List<AcceleratorCandidate> candidates, AcceleratorCandidate? candidate, YamlNode at, string path)
    {
        if (candidate is null)
            return;
        if (candidates.Exists(existing => string.Equals(existing.Name, candidate.Name, StringComparison.OrdinalIgnoreCase)))
            context.Error(path, at, $"accelerator '{candidate.Name}' is listed twice");
        else
            candidates.Add(candidate);
    }

    /// <summary><c>A100</c> (one) or <c>A100:4</c>.</summary>
    private AcceleratorCandidate? Parse(YamlScalarNode scalar, string path)
    {
        var text = (scalar.Value ?? "").Trim();
        var colon = text.IndexOf(':');
        var name = colon < 0 ? text : text[..colon].Trim();
        if (!SpecPatterns.AcceleratorName().IsMatch(name))
        {
            context.Error(path, scalar, $"invalid accelerator '{text}': write NAME or NAME:COUNT, e.g. A100:4");
            return null;
        }
        return colon < 0 ? new AcceleratorCandidate(Canonical(name), 1) : WithCount(name, text[(colon + 1)..].Trim(), path, scalar);
    }

    /// <summary><c>L4: 1</c> (the mapping form), <c>L4:1</c> with a null value (the set form), or <c>L4</c> with a null value.</summary>
    private AcceleratorCandidate? FromMapEntry(YamlNode keyNode, YamlNode valueNode, string path)
    {
        if (keyNode is not YamlScalarNode { Value: { } key } keyScalar || YamlScalars.IsNull(keyNode))
        {
            context.Error(path, keyNode, $"invalid accelerator name {YamlScalars.Describe(keyNode)}");
            return null;
        }
        if (YamlScalars.IsNull(valueNode))
            return Parse(keyScalar, path);
        var name = key.Trim();
        if (!SpecPatterns.AcceleratorName().IsMatch(name))
        {
            context.Error(path, keyNode, $"invalid accelerator name {YamlScalars.Describe(keyNode)}: write {{NAME: COUNT}} or {{NAME:COUNT}}, e.g. {{L4: 1, A10G: 1}}");
            return null;
        }
        var entryPath = SpecPath.Child(path, name);
        context.Remember(entryPath, valueNode);
        var text = valueNode is YamlScalarNode scalar ? (scalar.Value ?? "").Trim() : YamlScalars.Describe(valueNode);
        if (valueNode is not YamlScalarNode)
            return CountError(entryPath, valueNode, name, text);
        return WithCount(name, text, entryPath, valueNode);
    }

    /// <summary>
    /// A whole count from 1 up. SkyPilot also takes fractions (<c>T4:0.5</c>) for GPU sharing on Kubernetes; replicas
    /// here get whole machines, so a fraction is refused with why rather than rounded.
    /// </summary>
    private AcceleratorCandidate? WithCount(string name, string countText, string path, YamlNode at)
    {
        if (YamlScalars.TryDecimalInteger(countText, out var count, out _) && count is >= 1 and <= SpecLimits.MaxAcceleratorCount)
            return new AcceleratorCandidate(Canonical(name), (int)count);
        if (double.TryParse(countText, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) && number > 0)
        {
            if (number == Math.Floor(number) && number <= SpecLimits.MaxAcceleratorCount)
                return new AcceleratorCandidate(Canonical(name), (int)number);
            if (number < SpecLimits.MaxAcceleratorCount)
            {
                context.Error(path, at,
                    $"fractional accelerator count '{name}:{countText}' is not supported: replicas get whole accelerators (fractions are SkyPilot's GPU sharing on Kubernetes); ask for {name}:{Math.Max(1, (int)Math.Ceiling(number))}");
                return null;
            }
        }
        return CountError(path, at, name, countText);
    }

    private static string Canonical(string name) => KnownAccelerators.Canonical(name) ?? name;

    private AcceleratorCandidate? CountError(string path, YamlNode at, string name, string count)
    {
        context.Error(path, at, $"the count of accelerator '{name}' must be a whole number from 1 to {SpecLimits.MaxAcceleratorCount}, got '{count}'");
        return null;
    }
}
