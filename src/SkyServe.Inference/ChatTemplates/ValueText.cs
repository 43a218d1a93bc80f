using System.Globalization;
using System.Text;

namespace SkyServe.Inference.ChatTemplates;

/// <summary>Python's str() and repr() of template values: what {{ value }} prints.</summary>
internal static class ValueText
{
    public static string ToText(object? value) => value switch
    {
        string text => text,
        null => "None",
        bool flag => flag ? "True" : "False",
        long number => number.ToString(CultureInfo.InvariantCulture),
        double number => FormatFloat(number),
        Undefined => "",
        _ => Repr(value),
    };

    public static string Repr(object? value)
    {
        var text = new StringBuilder();
        AppendRepr(text, value);
        return text.ToString();
    }

    /// <summary>Python's repr of a float: the shortest digits that round-trip, in exponent form below 1e-4 and from 1e16.</summary>
    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
            return "nan";
        if (double.IsInfinity(value))
            return value > 0 ? "inf" : "-inf";

        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = shortest.StartsWith('-');
        if (negative)
            shortest = shortest[1..];
        var exponentAt = shortest.IndexOf('E');
        var mantissa = exponentAt < 0 ? shortest : shortest[..exponentAt];
        var exponent = exponentAt < 0 ? 0 : int.Parse(shortest[(exponentAt + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var point = mantissa.IndexOf('.');
        var digits = point < 0 ? mantissa : mantissa.Remove(point, 1);
        // value = 0.DIGITS x 10^pointPosition
        var pointPosition = (point < 0 ? mantissa.Length : point) + exponent;
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        pointPosition -= leadingZeros;
        var sign = negative ? "-" : "";
        if (digits.Length == 0)
            return sign + "0.0";

        var scientificExponent = pointPosition - 1;
        if (scientificExponent is < -4 or >= 16)
        {
            var fraction = digits.Length > 1 ? "." + digits[1..] : "";
            var exponentText = Math.Abs(scientificExponent).ToString("00", CultureInfo.InvariantCulture);
            return $"{sign}{digits[0]}{fraction}e{(scientificExponent < 0 ? '-' : '+')}{exponentText}";
        }
        if (pointPosition <= 0)
            return $"{sign}0.{new string('0', -pointPosition)}{digits}";
        if (digits.Length <= pointPosition)
            return $"{sign}{digits}{new string('0', pointPosition - digits.Length)}.0";
        return $"{sign}{digits[..pointPosition]}.{digits[pointPosition..]}";
    }

    private static void AppendRepr(StringBuilder text, object? value)
    {
        switch (value)
        {
            case string s:
                AppendStringRepr(text, s);
                break;
            case List<object?> list:
                text.Append('[');
                AppendItems(text, list);
                text.Append(']');
                break;
            case TemplateTuple tuple:
                text.Append('(');
                AppendItems(text, tuple.Items);
                text.Append(tuple.Items.Length == 1 ? ",)" : ")");
                break;
            case OrderedDictionary<object, object?> mapping:
                AppendMapping(text, mapping.Select(p => (p.Key, p.Value)));
                break;
            case TemplateNamespace ns:
                text.Append("<Namespace ");
                AppendMapping(text, ns.Attributes.Select(p => ((object)p.Key, p.Value)));
                text.Append('>');
                break;
            case TemplateCallable callable:
                text.Append("<function ").Append(callable.Name).Append('>');
                break;
            case LoopContext loop:
                text.Append("<LoopContext ").Append(loop.Index0 + 1).Append('/').Append(loop.Length).Append('>');
                break;
            case Undefined:
                text.Append("Undefined");
                break;
            default:
                text.Append(ToText(value));
                break;
        }
    }

    private static void AppendItems(StringBuilder text, IEnumerable<object?> items)
    {
        var first = true;
        foreach (var item in items)
        {
            if (!first)
                text.Append(", ");
            first = false;
            AppendRepr(text, item);
        }
    }

    private static void AppendMapping(StringBuilder text, IEnumerable<(object Key, object? Value)> pairs)
    {
        text.Append('{');
        var first = true;
        foreach (var (key, value) in pairs)
        {
            if (!first)
                text.Append(", ");
            first = false;
            AppendRepr(text, key);
            text.Append(": ");
            AppendRepr(text, value);
        }
        text.Append('}');
    }

    // Python quotes with ' unless the text has ' and no ".
    private static void AppendStringRepr(StringBuilder text, string value)
    {
        var quote = value.Contains('\'') && !value.Contains('"') ? '"' : '\'';
        text.Append(quote);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                default:
                    if (c == quote)
                        text.Append('\\').Append(c);
                    else if (c < ' ' || c is >= '\x7f' and <= '\xa0' || c == '\xad')
                        text.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    else
                        text.Append(c);
                    break;
            }
        }
        text.Append(quote);
    }
}
