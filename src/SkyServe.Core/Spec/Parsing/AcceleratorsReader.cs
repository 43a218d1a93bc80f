using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// Reads <c>resources.accelerators</c> in SkyPilot's three forms, all normalised to candidates:
/// a string <c>A100:4</c>, a set/map <c>{L4: 1, A10G: 1}</c> or <c>{L4, A10G}</c> (any of them), and a list
/// <c>[L4, A10G:2]</c> (in order of preference).
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
        if (colon < 0)
            return new AcceleratorCandidate(name, 1);
        var countText = text[(colon + 1)..].Trim();
        return YamlScalars.TryDecimalInteger(countText, out var count, out _) && count is >= 1 and <= SpecLimits.MaxAcceleratorCount
            ? new AcceleratorCandidate(name, (int)count)
            : CountError(path, scalar, name, countText);
    }

    private AcceleratorCandidate? FromMapEntry(YamlNode keyNode, YamlNode valueNode, string path)
    {
        if (keyNode is not YamlScalarNode { Value: { } name } || !SpecPatterns.AcceleratorName().IsMatch(name))
        {
            context.Error(path, keyNode, $"invalid accelerator name {YamlScalars.Describe(keyNode)}");
            return null;
        }
        var entryPath = SpecPath.Child(path, name);
        context.Remember(entryPath, valueNode);
        if (YamlScalars.IsNull(valueNode))
            return new AcceleratorCandidate(name, 1); // the set form {L4, A10G}: one of each
        var text = valueNode is YamlScalarNode scalar ? scalar.Value ?? "" : YamlScalars.Describe(valueNode);
        return valueNode is YamlScalarNode && YamlScalars.TryDecimalInteger(text, out var count, out _) && count is >= 1 and <= SpecLimits.MaxAcceleratorCount
            ? new AcceleratorCandidate(name, (int)count)
            : CountError(entryPath, valueNode, name, text);
    }

    private AcceleratorCandidate? CountError(string path, YamlNode at, string name, string count)
    {
        context.Error(path, at, $"the count of accelerator '{name}' must be a whole number from 1 to {SpecLimits.MaxAcceleratorCount}, got '{count}'");
        return null;
    }
}
