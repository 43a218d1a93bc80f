using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>Reads <c>resources.ports</c>: a port, a range string <c>"10020-10040"</c>, or a list of those.</summary>
internal sealed class PortsReader(SpecReadContext context)
{
    public IReadOnlyList<PortRange> Read(YamlNode? node, string path)
    {
        var ranges = new List<PortRange>();
        switch (node)
        {
            case null:
                break;
            case YamlScalarNode scalar:
                AddRange(ranges, scalar, path);
                break;
            case YamlSequenceNode sequence:
                context.Remember(path, sequence);
                for (var index = 0; index < sequence.Children.Count; index++)
                {
                    var item = sequence.Children[index];
                    if (item is YamlScalarNode itemScalar && !YamlScalars.IsNull(item))
                        AddRange(ranges, itemScalar, SpecPath.Item(path, index));
                    else
                        context.Error(SpecPath.Item(path, index), item, $"expected a port or a range such as 10020-10040, got {YamlScalars.Describe(item)}");
                }
                break;
            default:
                context.Error(path, node, $"expected a port, a range such as 10020-10040, or a list of them, got {YamlScalars.Describe(node)}");
                break;
        }
        return ranges.AsReadOnly();
    }

    private void AddRange(List<PortRange> ranges, YamlScalarNode scalar, string path)
    {
        var text = (scalar.Value ?? "").Trim();
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        if (parts.Length is 1 or 2
            && TryPort(parts[0], out var start)
            && TryPort(parts[^1], out var end)
            && start <= end)
        {
            var range = new PortRange(start, end);
            if (ranges.Exists(existing => existing.Start <= range.End && range.Start <= existing.End))
                context.Error(path, scalar, $"port {range} overlaps another entry of ports");
            else
                ranges.Add(range);
            return;
        }
        context.Error(path, scalar, $"expected a port from {SpecLimits.MinPort} to {SpecLimits.MaxPort} or a range such as 10020-10040, got '{text}'");
    }

    private static bool TryPort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= SpecLimits.MinPort and <= SpecLimits.MaxPort;
}
