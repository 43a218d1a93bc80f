using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// Resolves plain YAML scalars to null, booleans and numbers the way SkyPilot's loader (PyYAML) does for
/// the values a spec uses; quoted scalars are always strings.
/// </summary>
internal static partial class YamlScalars
{
    public static bool IsPlain(YamlScalarNode scalar) => scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;

    public static bool IsNull(YamlNode? node) =>
        node is null || (node is YamlScalarNode scalar && IsPlain(scalar) && IsNullText(scalar.Value));

    public static bool IsNullText(string? text) => text is null or "" or "~" or "null" or "Null" or "NULL";

    /// <summary>YAML 1.2 core booleans plus PyYAML's yes/no/on/off, which SkyPilot users may have written.</summary>
    public static bool TryBoolean(string text, out bool value)
    {
        switch (text)
        {
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON":
                value = true;
                return true;
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    /// <summary>Decimal, <c>0x</c> hex and <c>0o</c> octal integers; false for anything else, including overflow.</summary>
    public static bool TryInteger(string text, out long value, out bool overflow)
    {
        value = 0;
        overflow = false;
        if (!IntegerPattern().IsMatch(text))
            return false;
        var negative = text.StartsWith('-');
        var digits = text.TrimStart('+', '-');
        bool parsed;
        if (digits.StartsWith("0x", StringComparison.Ordinal))
            parsed = long.TryParse(digits[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && value >= 0;
        else if (digits.StartsWith("0o", StringComparison.Ordinal))
            parsed = TryOctal(digits[2..], out value);
        else
            parsed = long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!parsed)
        {
            overflow = true;
            return false;
        }
        if (negative)
            value = -value;
        return true;
    }

    /// <summary>
    /// A whole number as the spec's integer keys take it: plain decimal, an optional minus sign, no leading zeros.
    /// <paramref name="overflow"/> tells a decimal too long for a long from anything else.
    /// </summary>
    public static bool TryDecimalInteger(string text, out long value, out bool overflow)
    {
        value = 0;
        var isDecimal = DecimalIntegerPattern().IsMatch(text);
        var parsed = isDecimal && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
        overflow = isDecimal && !parsed;
        return parsed;
    }

    /// <summary>
    /// An integer some YAML loader reads in a notation other than plain decimal: <c>0x10</c>, <c>0o17</c>,
    /// <c>0b101</c>, <c>017</c> (YAML 1.1 octal), <c>1_000</c>, <c>+5</c>. Refused for integer keys, since
    /// loaders disagree on what they mean (PyYAML reads <c>017</c> as 15).
    /// </summary>
    public static bool IsOtherIntegerNotation(string text) =>
        OtherIntegerPattern().IsMatch(text) && !DecimalIntegerPattern().IsMatch(text);

    /// <summary>Finite numbers: integers and decimals with an optional exponent (<c>.inf</c>/<c>.nan</c> are refused).</summary>
    public static bool TryNumber(string text, out double value)
    {
        if (TryInteger(text, out var integer, out _))
        {
            value = integer;
            return true;
        }
        value = 0;
        return DecimalPattern().IsMatch(text)
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }

    /// <summary>How a node reads in an error message: <c>'abc'</c>, <c>a mapping</c>, <c>a list</c>, <c>null</c>.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode scalar when IsNull(scalar) => "null",
        YamlScalarNode scalar => $"'{Shorten(scalar.Value ?? "")}'",
        _ => "an unsupported node",
    };

    private static string Shorten(string text)
    {
        var oneLine = text.ReplaceLineEndings(" ");
        return oneLine.Length <= 60 ? oneLine : oneLine[..57] + "...";
    }

    private static bool TryOctal(string digits, out long value)
    {
        value = 0;
        foreach (var digit in digits)
        {
            if (value > (long.MaxValue >> 3))
                return false;
            value = (value << 3) + (digit - '0');
        }
        return true;
    }

    [GeneratedRegex(@"^[-+]?(?:[0-9]+|0x[0-9a-fA-F]+|0o[0-7]+)$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^-?(?:0|[1-9][0-9]*)$")]
    private static partial Regex DecimalIntegerPattern();

    [GeneratedRegex(@"^[-+]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)$")]
    private static partial Regex OtherIntegerPattern();

    [GeneratedRegex(@"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")]
    private static partial Regex DecimalPattern();
}
