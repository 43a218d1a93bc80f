using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// The interpreter's values, which follow Python's because templates are written against Python:
/// str is string, int is long, float is double, bool, None is null, list is List&lt;object?&gt;, tuple is
/// <see cref="TemplateTuple"/>, dict is an insertion-ordered mapping; plus <see cref="Undefined"/>,
/// namespaces, loop contexts and callables.
/// </summary>
internal static class TemplateValues
{
    public static OrderedDictionary<object, object?> NewMapping() => new(TemplateKeyComparer.Instance);

    public static bool IsTruthy(object? value) => value switch
    {
        null => false,
        bool flag => flag,
        long number => number != 0,
        double number => number != 0,
        string text => text.Length > 0,
        List<object?> list => list.Count > 0,
        TemplateTuple tuple => tuple.Items.Length > 0,
        OrderedDictionary<object, object?> mapping => mapping.Count > 0,
        Undefined => false,
        _ => true,
    };

    /// <summary>The Python type name, for error messages that read like Python's.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        TemplateTuple => "tuple",
        OrderedDictionary<object, object?> => "dict",
        Undefined => "Undefined",
        TemplateNamespace => "Namespace",
        LoopContext => "LoopContext",
        TemplateCallable => "function",
        _ => value.GetType().Name,
    };

    public static bool IsNumber(object? value) => value is long or double or bool;

    /// <summary>What `for x in value` walks: list and tuple items, the characters of a string, the keys of a dict.</summary>
    public static IEnumerable<object?> Iterate(object? value) => value switch
    {
        List<object?> list => list,
        TemplateTuple tuple => tuple.Items,
        string text => PythonText.CodePoints(text),
        OrderedDictionary<object, object?> mapping => mapping.Keys,
        Undefined => [],
        _ => throw new ChatTemplateException($"'{TypeName(value)}' object is not iterable"),
    };

    public static List<object?> ToList(object? value) => [.. Iterate(value)];

    public static long ToInteger(object? value, string what) => value switch
    {
        long number => number,
        bool flag => flag ? 1 : 0,
        Undefined undefined => throw undefined.Failure(),
        _ => throw new ChatTemplateException($"{what} must be an integer, not '{TypeName(value)}'"),
    };

    public static string ExpectText(object? value, string what) => value switch
    {
        string text => text,
        Undefined undefined => throw undefined.Failure(),
        _ => throw new ChatTemplateException($"{what} must be a string, not '{TypeName(value)}'"),
    };

    public static OrderedDictionary<object, object?> MessageMapping(ChatMessage message)
    {
        var mapping = NewMapping();
        mapping["role"] = message.Role;
        mapping["content"] = message.Content;
        return mapping;
    }

    /// <summary>Converts a value handed in by the caller (extra context) into a template value.</summary>
    public static object? FromClr(object? value) => value switch
    {
        null => null,
        string or bool or long or double => value,
        int number => (long)number,
        short number => (long)number,
        byte number => (long)number,
        sbyte number => (long)number,
        ushort number => (long)number,
        uint number => (long)number,
        ulong number when number <= long.MaxValue => (long)number,
        float number => (double)number,
        decimal number => (double)number,
        char character => character.ToString(),
        JsonElement element => FromJson(element),
        JsonNode node => FromJson(JsonDocument.Parse(node.ToJsonString()).RootElement),
        ChatMessage message => MessageMapping(message),
        TemplateTuple or Undefined or TemplateNamespace or TemplateCallable => value,
        IDictionary dictionary => FromPairs(Entries(dictionary)),
        IEnumerable<KeyValuePair<string, object?>> pairs => FromPairs(pairs.Select(p => ((object)p.Key, p.Value))),
        IEnumerable sequence => sequence.Cast<object?>().Select(FromClr).ToList(),
        _ => throw new ArgumentException($"a chat template cannot use a value of type {value.GetType()}"),
    };

    // IDictionary's own enumerator gives DictionaryEntry; plain enumeration of a generic dictionary would not.
    private static IEnumerable<(object Key, object? Value)> Entries(IDictionary dictionary)
    {
        var entry = dictionary.GetEnumerator();
        while (entry.MoveNext())
            yield return (entry.Key, entry.Value);
    }

    private static OrderedDictionary<object, object?> FromPairs(IEnumerable<(object Key, object? Value)> pairs)
    {
        var mapping = NewMapping();
        foreach (var (key, value) in pairs)
            mapping[FromClr(key) ?? throw new ArgumentException("a chat template cannot use a null dictionary key")] = FromClr(value);
        return mapping;
    }

    private static object? FromJson(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var mapping = NewMapping();
                foreach (var property in element.EnumerateObject())
                    mapping[property.Name] = FromJson(property.Value);
                return mapping;
            case JsonValueKind.Array:
                return element.EnumerateArray().Select(FromJson).ToList();
            case JsonValueKind.String:
                return element.GetString();
            case JsonValueKind.Number:
                return element.TryGetInt64(out var integer) ? (object)integer : element.GetDouble();
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            default:
                return null;
        }
    }
}
