using System.Globalization;
using System.Text;

namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// The tojson filter as Hugging Face defines it, which is Python's json.dumps(value, ensure_ascii=False,
/// indent=..., separators=..., sort_keys=...): ", " and ": " between items without an indent, "," and
/// ": " with one, and non-ASCII text left as it is. Templates print tool schemas with it, so the exact
/// spacing matters to the prompt.
/// </summary>
internal static class TemplateJson
{
    public static string Serialize(object? value, string? indent, string? itemSeparator, string? keySeparator, bool sortKeys, bool ensureAscii)
    {
        var options = new Options(indent, itemSeparator ?? (indent is null ? ", " : ","), keySeparator ?? ": ", sortKeys, ensureAscii);
        var json = new StringBuilder();
        Write(json, value, options, 0);
        return json.ToString();
    }

    private sealed record Options(string? Indent, string ItemSeparator, string KeySeparator, bool SortKeys, bool EnsureAscii);

    private static void Write(StringBuilder json, object? value, Options options, int depth)
    {
        switch (value)
        {
            case null:
                json.Append("null");
                break;
            case bool flag:
                json.Append(flag ? "true" : "false");
                break;
            case long number:
                json.Append(number.ToString(CultureInfo.InvariantCulture));
                break;
            case double number:
                json.Append(double.IsNaN(number) ? "NaN" : double.IsInfinity(number) ? (number > 0 ? "Infinity" : "-Infinity") : ValueText.FormatFloat(number));
                break;
            case string text:
                WriteString(json, text, options.EnsureAscii);
                break;
            case List<object?> list:
                WriteContainer(json, '[', ']', list, options, depth, (item, d) => Write(json, item, options, d));
                break;
            case TemplateTuple tuple:
                WriteContainer(json, '[', ']', tuple.Items, options, depth, (item, d) => Write(json, item, options, d));
                break;
            case OrderedDictionary<object, object?> mapping:
                var pairs = mapping.Select(pair => (Key: KeyText(pair.Key), pair.Value)).ToList();
                if (options.SortKeys)
                    pairs = [.. pairs.OrderBy(pair => pair.Key, StringComparer.Ordinal)];
                WriteContainer(json, '{', '}', pairs, options, depth, (pair, d) =>
                {
                    WriteString(json, pair.Key, options.EnsureAscii);
                    json.Append(options.KeySeparator);
                    Write(json, pair.Value, options, d);
                });
                break;
            case Undefined undefined:
                throw new ChatTemplateException($"Object of type Undefined is not JSON serializable ({undefined.Description})");
            default:
                throw new ChatTemplateException($"Object of type {TemplateValues.TypeName(value)} is not JSON serializable");
        }
    }

    private static void WriteContainer<T>(StringBuilder json, char open, char close, IReadOnlyList<T> items, Options options, int depth, Action<T, int> writeItem)
    {
        json.Append(open);
        if (items.Count == 0)
        {
            json.Append(close);
            return;
        }
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
                json.Append(options.ItemSeparator);
            if (options.Indent is not null)
                NewLine(json, options.Indent, depth + 1);
            writeItem(items[i], depth + 1);
        }
        if (options.Indent is not null)
            NewLine(json, options.Indent, depth);
        json.Append(close);
    }

    private static void NewLine(StringBuilder json, string indent, int depth)
    {
        json.Append('\n');
        for (var i = 0; i < depth; i++)
            json.Append(indent);
    }

    // Python turns non-text keys into text: True -> "true", None -> "null", 1 -> "1".
    private static string KeyText(object key) => key switch
    {
        string text => text,
        bool flag => flag ? "true" : "false",
        long number => number.ToString(CultureInfo.InvariantCulture),
        double number => ValueText.FormatFloat(number),
        _ => throw new ChatTemplateException($"keys must be str, int, float, bool or None, not {TemplateValues.TypeName(key)}"),
    };

    private static void WriteString(StringBuilder json, string text, bool ensureAscii)
    {
        json.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                default:
                    if (c < ' ' || (ensureAscii && c > '\x7e'))
                        json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else
                        json.Append(c);
                    break;
            }
        }
        json.Append('"');
    }
}
