using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// The Jinja filters chat templates use, with Jinja's semantics (tojson is Hugging Face's). An unknown
/// filter name is a parse error, so a template that needs a missing one fails when it is loaded.
/// </summary>
internal static partial class BuiltinFilters
{
    private static readonly Dictionary<string, TemplateFilter> Filters = new(StringComparer.Ordinal)
    {
        ["abs"] = Abs,
        ["capitalize"] = (value, arguments) => NoArguments(arguments, "capitalize", PythonText.Capitalize(ValueText.ToText(value))),
        ["count"] = Length,
        ["d"] = Default,
        ["default"] = Default,
        ["dictsort"] = DictSort,
        ["first"] = First,
        ["float"] = ToFloat,
        ["indent"] = Indent,
        ["int"] = ToInt,
        ["items"] = Items,
        ["join"] = Join,
        ["last"] = Last,
        ["length"] = Length,
        ["list"] = (value, arguments) => NoArguments(arguments, "list", TemplateValues.ToList(value)),
        ["lower"] = (value, arguments) => NoArguments(arguments, "lower", ValueText.ToText(value).ToLowerInvariant()),
        ["map"] = Map,
        ["max"] = (value, arguments) => Extreme(value, arguments, "max", wantLargest: true),
        ["min"] = (value, arguments) => Extreme(value, arguments, "min", wantLargest: false),
        ["reject"] = (value, arguments) => Select(value, arguments, "reject", keep: false, byAttribute: false),
        ["rejectattr"] = (value, arguments) => Select(value, arguments, "rejectattr", keep: false, byAttribute: true),
        ["replace"] = Replace,
        ["reverse"] = Reverse,
        ["round"] = Round,
        ["safe"] = (value, arguments) => NoArguments(arguments, "safe", ValueText.ToText(value)),
        ["select"] = (value, arguments) => Select(value, arguments, "select", keep: true, byAttribute: false),
        ["selectattr"] = (value, arguments) => Select(value, arguments, "selectattr", keep: true, byAttribute: true),
        ["sort"] = Sort,
        ["string"] = (value, arguments) => NoArguments(arguments, "string", ValueText.ToText(value)),
        ["sum"] = Sum,
        ["title"] = (value, arguments) => NoArguments(arguments, "title", Title(ValueText.ToText(value))),
        ["tojson"] = ToJson,
        ["trim"] = Trim,
        ["unique"] = Unique,
        ["upper"] = (value, arguments) => NoArguments(arguments, "upper", ValueText.ToText(value).ToUpperInvariant()),
        ["wordcount"] = (value, arguments) => NoArguments(arguments, "wordcount", (long)WordPattern().Count(ValueText.ToText(value))),
    };

    public static bool TryGet(string name, [NotNullWhen(true)] out TemplateFilter? filter) => Filters.TryGetValue(name, out filter);

    /// <summary>Looks up an item's attribute path such as "function.name" (numbers index lists), as map, sort and selectattr do.</summary>
    public static object? AttributePath(object? item, string path)
    {
        foreach (var part in path.Split('.'))
            item = ValueAccess.GetItem(item, long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : part);
        return item;
    }

    [GeneratedRegex(@"\w+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"([-\s({\[<]+)")]
    private static partial Regex WordBeginning();

    private static object? NoArguments(CallArguments arguments, string filter, object? result)
    {
        arguments.Bind(filter, 0);
        return result;
    }

    private static object? Abs(object? value, CallArguments arguments)
    {
        arguments.Bind("abs", 0);
        return value switch
        {
            long number => number == long.MinValue ? throw new ChatTemplateException("integer overflow") : (object)Math.Abs(number),
            double number => Math.Abs(number),
            bool flag => flag ? 1L : 0L,
            Undefined undefined => throw undefined.Failure(),
            _ => throw new ChatTemplateException($"bad operand type for abs(): '{TemplateValues.TypeName(value)}'"),
        };
    }

    private static object? Default(object? value, CallArguments arguments)
    {
        var values = arguments.Bind("default", 0, "default_value", "boolean");
        var fallback = CallArguments.IsGiven(values[0]) ? values[0] : "";
        var boolean = CallArguments.IsGiven(values[1]) && TemplateValues.IsTruthy(values[1]);
        return value is Undefined || (boolean && !TemplateValues.IsTruthy(value)) ? fallback : value;
    }

    private static object? First(object? value, CallArguments arguments)
    {
        arguments.Bind("first", 0);
        foreach (var item in TemplateValues.Iterate(value))
            return item;
        return new Undefined("No first item, sequence was empty.");
    }

    private static object? Last(object? value, CallArguments arguments)
    {
        arguments.Bind("last", 0);
        if (value is Undefined undefined)
            throw undefined.Failure();
        var items = TemplateValues.ToList(value);
        return items.Count > 0 ? items[^1] : new Undefined("No last item, sequence was empty.");
    }

    private static object? Length(object? value, CallArguments arguments)
    {
        arguments.Bind("length", 0);
        return value switch
        {
            string text => (long)PythonText.Length(text),
            List<object?> list => (long)list.Count,
            TemplateTuple tuple => (long)tuple.Items.Length,
            OrderedDictionary<object, object?> mapping => (long)mapping.Count,
            Undefined => 0L,
            _ => throw new ChatTemplateException($"object of type '{TemplateValues.TypeName(value)}' has no len()"),
        };
    }

    private static object? ToFloat(object? value, CallArguments arguments)
    {
        var fallback = arguments.Bind("float", 0, "default")[0];
        return value switch
        {
            double number => number,
            long number => (double)number,
            bool flag => flag ? 1.0 : 0.0,
            string text when double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            _ => CallArguments.IsGiven(fallback) ? fallback : 0.0,
        };
    }

    private static object? ToInt(object? value, CallArguments arguments)
    {
        var values = arguments.Bind("int", 0, "default", "base");
        var fallback = CallArguments.IsGiven(values[0]) ? values[0] : 0L;
        var numberBase = CallArguments.IsGiven(values[1]) ? TemplateValues.ToInteger(values[1], "base") : 10;
        switch (value)
        {
            case long number:
                return number;
            case bool flag:
                return flag ? 1L : 0L;
            case double number when !double.IsNaN(number) && Math.Abs(number) < 9.2e18:
                return (long)Math.Truncate(number);
            case string text:
                var digits = text.Trim().Replace("_", "");
                try
                {
                    if (numberBase is 2 or 8 or 10 or 16 && digits.Length > 0)
                    {
                        var negative = digits.StartsWith('-');
                        var magnitude = Convert.ToInt64(digits.TrimStart('+', '-'), (int)numberBase);
                        return negative ? -magnitude : magnitude;
                    }
                }
                catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
                {
                }
                return double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && Math.Abs(parsed) < 9.2e18
                    ? (long)Math.Truncate(parsed)
                    : fallback;
            default:
                return fallback;
        }
    }

    private static object? Indent(object? value, CallArguments arguments)
    {
        var values = arguments.Bind("indent", 0, "width", "first", "blank");
        var width = CallArguments.IsGiven(values[0]) ? values[0] : 4L;
        var indentation = width is string text ? text : new string(' ', (int)Math.Clamp(TemplateValues.ToInteger(width, "width"), 0, 1000));
        var indentFirst = CallArguments.IsGiven(values[1]) && TemplateValues.IsTruthy(values[1]);
        var indentBlank = CallArguments.IsGiven(values[2]) && TemplateValues.IsTruthy(values[2]);
        var lines = PythonText.SplitLines(ValueText.ToText(value) + "\n");
        string result;
        if (indentBlank)
            result = string.Join("\n" + indentation, lines);
        else
            result = lines[0] + string.Concat(lines.Skip(1).Select(line => "\n" + (line.Length > 0 ? indentation + line : line)));
        return indentFirst ? indentation + result : result;
    }

    private static object? Items(object? value, CallArguments arguments)
    {
        arguments.Bind("items", 0);
        return value switch
        {
            OrderedDictionary<object, object?> mapping => MappingMethods.Items(mapping),
            Undefined => new List<object?>(),
            _ => throw new ChatTemplateException("Can only get item pairs from a mapping."),
        };
    }

    private static object? Join(object? value, CallArguments arguments)
    {
        var values = arguments.Bind("join", 0, "d", "attribute");
        var separator = CallArguments.IsGiven(values[0]) ? ValueText.ToText(values[0]) : "";
        var items = TemplateValues.Iterate(value);
        if (CallArguments.IsGiven(values[1]) && values[1] is not null)
        {
            var path = ValueText.ToText(values[1]);
            items = items.Select(item => AttributePath(item, path));
        }
        return string.Join(separator, items.Select(ValueText.ToText));
    }

    private static object? Map(object? value, CallArguments arguments)
    {
        var items = TemplateValues.Iterate(value);
        if (arguments.Positional.Count == 0 && arguments.Named.TryGetValue("attribute", out var attribute))
        {
            var hasFallback = arguments.Named.TryGetValue("default", out var fallback);
            if (arguments.Named.Keys.Any(name => name is not ("attribute" or "default")))
                throw new ChatTemplateException("map() with attribute= takes only attribute and default");
            var path = ValueText.ToText(attribute);
            return items.Select(item =>
            {
                var found = AttributePath(item, path);
                return found is Undefined && hasFallback ? fallback : found;
            }).ToList();
        }
        if (arguments.Positional.Count == 0)
            throw new ChatTemplateException("map() needs a filter name or attribute=");
        var name = TemplateValues.ExpectText(arguments.Positional[0], "the filter name given to map()");
        if (!TryGet(name, out var filter))
            throw new ChatTemplateException($"map(): no filter named '{name}'");
        var rest = arguments.SkipPositional(1);
        return items.Select(item => filter(item, rest)).ToList();
    }

    private static object? Extreme(object? value, CallArguments arguments, string filter, bool wantLargest)
    {
        var values = arguments.Bind(filter, 0, "case_sensitive", "attribute");
        var key = SortKey(values[0], values[1]);
        object? best = null;
        var found = false;
        foreach (var item in TemplateValues.Iterate(value))
        {
            if (found && ValueOperators.Order(key(item), key(best)) is var order && (wantLargest ? order <= 0 : order >= 0))
                continue;
            best = item;
            found = true;
        }
        return found ? best : new Undefined("No aggregated item, sequence was empty.");
    }

    private static object? Select(object? value, CallArguments arguments, string filter, bool keep, bool byAttribute)
    {
        var rest = arguments;
        string? path = null;
        if (byAttribute)
        {
            if (arguments.Positional.Count == 0)
                throw new ChatTemplateException($"{filter}() needs an attribute name");
            path = ValueText.ToText(arguments.Positional[0]);
            rest = arguments.SkipPositional(1);
        }
        Func<object?, bool> passes = TemplateValues.IsTruthy;
        if (rest.Positional.Count > 0)
        {
            var name = TemplateValues.ExpectText(rest.Positional[0], $"the test name given to {filter}()");
            if (!BuiltinTests.TryGet(name, out var test))
                throw new ChatTemplateException($"{filter}(): no test named '{name}'");
            var testArguments = rest.SkipPositional(1);
            passes = item => test(item, testArguments);
        }
        return TemplateValues.Iterate(value)
            .Where(item => passes(path is null ? item : AttributePath(item, path)) == keep)
            .ToList();
    }

    private static object? Replace(object? value, CallArguments arguments)
    {
        var values = arguments.Bind("replace", 2, "old", "new", "count");
        var count = CallArguments.IsGiven(values[2]) && values[2] is not null ? TemplateValues.ToInteger(values[2], "count") : -1;
        return PythonText.Replace(ValueText.ToText(value), ValueText.ToText(values[0]), ValueText.ToText(values[1]), count);
    }

    private static object? Reverse(object? value, CallArguments arguments)
    {
        arguments.Bind("reverse", 0);
        if (value is string text)
            return string.Concat(PythonText.CodePoints(text).Reverse());
        var items = TemplateValues.ToList(value);
        items.Reverse();
        return items;
    }

    private static object? Round(object? value, CallArguments arguments)
    {
        var values = arguments.Bind("round", 0, "precision", "method");
        var precision = CallArguments.IsGiven(values[0]) ? TemplateValues.ToInteger(values[0], "precision") : 0;
        var method = CallArguments.IsGiven(values[1]) ? ValueText.ToText(values[1]) : "common";
        var number = value switch
        {
            long integer => integer,
            double real => real,
            bool flag => flag ? 1 : 0,
            Undefined undefined => throw undefined.Failure(),
            _ => throw new ChatTemplateException($"round() needs a number, not '{TemplateValues.TypeName(value)}'"),
        };
        // Python's round(int, n) keeps an int; everything else comes back as a float.
        if (value is long && method == "common" && precision >= 0)
            return value;
        var scale = Math.Pow(10, precision);
        return method switch
        {
            "common" => precision is >= 0 and <= 15 ? Math.Round(number, (int)precision, MidpointRounding.ToEven) : Math.Round(number * scale) / scale,
            "ceil" => Math.Ceiling(number * scale) / scale,
            "floor" => Math.Floor(number * scale) / scale,
            _ => throw new ChatTemplateException("round(): method must be 'common', 'ceil' or 'floor'"),
        };
    }

    private static object? Sort(object? value, CallArguments arguments)
    {
        var values = arguments.Bind("sort", 0, "reverse", "case_sensitive", "attribute");
        var descending = CallArguments.IsGiven(values[0]) && TemplateValues.IsTruthy(values[0]);
        return Sorted(TemplateValues.Iterate(value), SortKey(values[1], values[2]), descending);
    }

    private static object? DictSort(object? value, CallArguments arguments)
    {
        var values = arguments.Bind("dictsort", 0, "case_sensitive", "by", "reverse");
        if (value is not OrderedDictionary<object, object?> mapping)
            throw new ChatTemplateException($"dictsort() needs a dict, not '{TemplateValues.TypeName(value)}'");
        var by = CallArguments.IsGiven(values[1]) ? ValueText.ToText(values[1]) : "key";
        var position = by switch
        {
            "key" => 0,
            "value" => 1,
            _ => throw new ChatTemplateException("dictsort(): by must be 'key' or 'value'"),
        };
        var key = SortKey(values[0], CallArguments.NotGiven);
        var descending = CallArguments.IsGiven(values[2]) && TemplateValues.IsTruthy(values[2]);
        return Sorted(MappingMethods.Items(mapping), pair => key(((TemplateTuple)pair!).Items[position]), descending);
    }

    // A stable sort in Python's order.
    private static List<object?> Sorted(IEnumerable<object?> items, Func<object?, object?> key, bool descending)
    {
        var comparer = Comparer<object?>.Create((a, b) => ValueOperators.Order(a, b));
        try
        {
            return (descending ? items.OrderByDescending(key, comparer) : items.OrderBy(key, comparer)).ToList();
        }
        catch (InvalidOperationException e) when (e.InnerException is ChatTemplateException inner)
        {
            // .NET's sort wraps what a comparer throws; the template error is the useful part.
            throw inner;
        }
    }

    private static object? Sum(object? value, CallArguments arguments)
    {
        var values = arguments.Bind("sum", 0, "attribute", "start");
        var total = CallArguments.IsGiven(values[1]) ? values[1] : 0L;
        var path = CallArguments.IsGiven(values[0]) && values[0] is not null ? ValueText.ToText(values[0]) : null;
        foreach (var item in TemplateValues.Iterate(value))
            total = ValueOperators.Add(total, path is null ? item : AttributePath(item, path));
        return total;
    }

    private static object? ToJson(object? value, CallArguments arguments)
    {
        // Hugging Face's signature: tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False).
        var values = arguments.Bind("tojson", 0, "ensure_ascii", "indent", "separators", "sort_keys");
        string? indent = values[1] switch
        {
            _ when !CallArguments.IsGiven(values[1]) => null,
            null => null,
            string text => text,
            var width => new string(' ', (int)Math.Clamp(TemplateValues.ToInteger(width, "indent"), 0, 1000)),
        };
        string? itemSeparator = null, keySeparator = null;
        if (CallArguments.IsGiven(values[2]) && values[2] is not null)
        {
            var separators = TemplateValues.ToList(values[2]);
            if (separators.Count != 2)
                throw new ChatTemplateException("tojson(): separators must be an (item_separator, key_separator) pair");
            itemSeparator = TemplateValues.ExpectText(separators[0], "the item separator");
            keySeparator = TemplateValues.ExpectText(separators[1], "the key separator");
        }
        var sortKeys = CallArguments.IsGiven(values[3]) && TemplateValues.IsTruthy(values[3]);
        var ensureAscii = CallArguments.IsGiven(values[0]) && TemplateValues.IsTruthy(values[0]);
        return TemplateJson.Serialize(value, indent, itemSeparator, keySeparator, sortKeys, ensureAscii);
    }

    private static object? Trim(object? value, CallArguments arguments)
    {
        var characters = arguments.Bind("trim", 0, "chars")[0];
        var set = CallArguments.IsGiven(characters) && characters is not null ? ValueText.ToText(characters) : null;
        return PythonText.Strip(ValueText.ToText(value), set, left: true, right: true);
    }

    private static object? Unique(object? value, CallArguments arguments)
    {
        var values = arguments.Bind("unique", 0, "case_sensitive", "attribute");
        var key = SortKey(values[0], values[1]);
        var seen = new List<object?>();
        var result = new List<object?>();
        foreach (var item in TemplateValues.Iterate(value))
        {
            var itemKey = key(item);
            if (seen.Any(k => ValueOperators.AreEqual(k, itemKey)))
                continue;
            seen.Add(itemKey);
            result.Add(item);
        }
        return result;
    }

    // Jinja's title filter: upper case at the start of each word, where words follow spaces, dashes and brackets.
    private static string Title(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var part in WordBeginning().Split(text))
            if (part.Length > 0)
                result.Append(char.ToUpperInvariant(part[0])).Append(part[1..].ToLowerInvariant());
        return result.ToString();
    }

    // What sort, unique, min and max compare: the item or one of its attributes, lower-cased unless case_sensitive.
    private static Func<object?, object?> SortKey(object? caseSensitive, object? attribute)
    {
        var matchCase = CallArguments.IsGiven(caseSensitive) && TemplateValues.IsTruthy(caseSensitive);
        var path = CallArguments.IsGiven(attribute) && attribute is not null ? ValueText.ToText(attribute) : null;
        return item =>
        {
            var key = path is null ? item : AttributePath(item, path);
            return !matchCase && key is string text ? text.ToLowerInvariant() : key;
        };
    }
}
