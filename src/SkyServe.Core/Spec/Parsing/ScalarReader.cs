using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// Reads one typed value from a YAML node, reporting "expected an integer, got 'abc'"-style errors at the node.
/// Every method returns null for a YAML null and for a value it could not accept.
/// </summary>
internal sealed class ScalarReader(SpecReadContext context)
{
    /// <summary>
    /// A whole number written in plain decimal (see <see cref="YamlScalars.TryDecimalInteger"/>) from
    /// <paramref name="minimum"/> to <paramref name="maximum"/>.
    /// </summary>
    public int? Integer(YamlNode node, string path, int minimum = 0, int maximum = int.MaxValue)
    {
        if (YamlScalars.IsNull(node))
            return null;
        if (!AsScalarText(node, out var text) || !YamlScalars.IsPlain((YamlScalarNode)node))
        {
            Expected(node, path, "an integer");
            return null;
        }
        if (YamlScalars.IsOtherIntegerNotation(text))
        {
            context.Error(path, node, $"{SpecPath.LastKey(path)} must be a whole number written in decimal, got '{text}'");
            return null;
        }
        if (!YamlScalars.TryDecimalInteger(text, out var value, out var overflow))
        {
            if (overflow)
                context.Error(path, node, $"{SpecPath.LastKey(path)} is out of range, got '{text}'");
            else
                Expected(node, path, "an integer");
            return null;
        }
        if (value is > int.MaxValue or < int.MinValue)
        {
            context.Error(path, node, $"{SpecPath.LastKey(path)} is out of range, got '{text}'");
            return null;
        }
        if (value < minimum || value > maximum)
        {
            context.Error(path, node, RangeMessage(path, minimum, maximum, text));
            return null;
        }
        return (int)value;
    }

    /// <summary>A finite number from <paramref name="minimum"/> to <paramref name="maximum"/>, both included.</summary>
    public double? Number(YamlNode node, string path, double minimum, double maximum)
    {
        if (YamlScalars.IsNull(node))
            return null;
        if (!AsScalarText(node, out var text) || !YamlScalars.IsPlain((YamlScalarNode)node))
        {
            Expected(node, path, "a number");
            return null;
        }
        if (YamlScalars.IsOtherIntegerNotation(text) || text.StartsWith('+'))
        {
            context.Error(path, node, $"{SpecPath.LastKey(path)} must be a number written in decimal, got '{text}'");
            return null;
        }
        if (!YamlScalars.TryNumber(text, out var value))
        {
            Expected(node, path, "a number");
            return null;
        }
        if (!(value >= minimum && value <= maximum))
        {
            context.Error(path, node,
                $"{SpecPath.LastKey(path)} must be between {minimum.ToString(CultureInfo.InvariantCulture)} and {maximum.ToString(CultureInfo.InvariantCulture)}, got {text}");
            return null;
        }
        return value;
    }

    public bool? Boolean(YamlNode node, string path)
    {
        if (YamlScalars.IsNull(node))
            return null;
        if (!AsScalarText(node, out var text)
            || !YamlScalars.IsPlain((YamlScalarNode)node)
            || !YamlScalars.TryBoolean(text, out var value))
        {
            Expected(node, path, "true or false");
            return null;
        }
        return value;
    }

    /// <summary>Any non-null scalar as written: SkyPilot turns numbers in string fields into text as well.</summary>
    public string? Text(YamlNode node, string path)
    {
        if (YamlScalars.IsNull(node))
            return null;
        if (!AsScalarText(node, out var text))
        {
            Expected(node, path, "a string");
            return null;
        }
        return text;
    }

    /// <summary>A non-empty string from a fixed set of names, matched case-insensitively.</summary>
    public string? OneOf(YamlNode node, string path, IReadOnlyList<string> names)
    {
        var text = Text(node, path);
        if (text is null)
            return null;
        var match = names.FirstOrDefault(name => string.Equals(name, text.Trim(), StringComparison.OrdinalIgnoreCase));
        if (match is null)
            context.Error(path, node, $"unknown {SpecPath.LastKey(path)} '{text}' (allowed: {string.Join(", ", names)})");
        return match;
    }

    private void Expected(YamlNode node, string path, string expected)
    {
        var hint = node is YamlScalarNode scalar && !YamlScalars.IsPlain(scalar) && LooksLike(expected, scalar.Value ?? "")
            ? " (quoted, so it is a string: remove the quotes)"
            : "";
        context.Error(path, node, $"expected {expected}, got {YamlScalars.Describe(node)}{hint}");
    }

    private static bool LooksLike(string expected, string text) => expected switch
    {
        "an integer" => YamlScalars.TryDecimalInteger(text, out _, out _),
        "a number" => YamlScalars.TryNumber(text, out _),
        "true or false" => YamlScalars.TryBoolean(text, out _),
        _ => false,
    };

    private static string RangeMessage(string path, int minimum, int maximum, string text)
    {
        var key = SpecPath.LastKey(path);
        return maximum == int.MaxValue
            ? $"{key} must be >= {minimum}, got {text}"
            : $"{key} must be between {minimum} and {maximum}, got {text}";
    }

    private static bool AsScalarText(YamlNode node, out string text)
    {
        text = node is YamlScalarNode { Value: { } value } ? value : "";
        return node is YamlScalarNode;
    }
}
