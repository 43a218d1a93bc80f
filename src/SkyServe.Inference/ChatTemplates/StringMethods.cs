using System.Diagnostics.CodeAnalysis;

namespace SkyServe.Inference.ChatTemplates;

/// <summary>The Python str methods templates call, such as content.strip() or role.startswith('tool').</summary>
internal static class StringMethods
{
    public static bool TryBind(string text, string name, [NotNullWhen(true)] out TemplateCallable? method)
    {
        Func<CallArguments, object?>? body = name switch
        {
            "strip" => arguments => Strip(text, arguments, name, left: true, right: true),
            "lstrip" => arguments => Strip(text, arguments, name, left: true, right: false),
            "rstrip" => arguments => Strip(text, arguments, name, left: false, right: true),
            "split" => arguments => Split(text, arguments),
            "startswith" => arguments => HasAffix(text, arguments, name, atStart: true),
            "endswith" => arguments => HasAffix(text, arguments, name, atStart: false),
            "upper" => arguments => NoArguments(arguments, name, text.ToUpperInvariant()),
            "lower" => arguments => NoArguments(arguments, name, text.ToLowerInvariant()),
            "title" => arguments => NoArguments(arguments, name, PythonText.Title(text)),
            "capitalize" => arguments => NoArguments(arguments, name, PythonText.Capitalize(text)),
            "splitlines" => arguments => NoArguments(arguments, name, PythonText.SplitLines(text).Cast<object?>().ToList()),
            "isspace" => arguments => NoArguments(arguments, name, text.Length > 0 && text.All(PythonText.IsSpace)),
            "isdigit" => arguments => NoArguments(arguments, name, text.Length > 0 && text.All(char.IsDigit)),
            "isalpha" => arguments => NoArguments(arguments, name, text.Length > 0 && text.All(char.IsLetter)),
            "isalnum" => arguments => NoArguments(arguments, name, text.Length > 0 && text.All(char.IsLetterOrDigit)),
            "isupper" => arguments => NoArguments(arguments, name, text.Any(char.IsUpper) && !text.Any(char.IsLower)),
            "islower" => arguments => NoArguments(arguments, name, text.Any(char.IsLower) && !text.Any(char.IsUpper)),
            "replace" => arguments => Replace(text, arguments),
            "find" => arguments => Find(text, arguments),
            "count" => arguments => Count(text, arguments),
            "join" => arguments => Join(text, arguments),
            _ => null,
        };
        method = body is null ? null : new TemplateCallable($"str.{name}", (arguments, _) => body(arguments));
        return method is not null;
    }

    private static object NoArguments(CallArguments arguments, string name, object result)
    {
        arguments.Bind($"str.{name}", 0);
        return result;
    }

    private static string Strip(string text, CallArguments arguments, string name, bool left, bool right)
    {
        var characters = arguments.Bind($"str.{name}", 0, "chars")[0];
        return PythonText.Strip(text, OptionalText(characters, "chars"), left, right);
    }

    private static List<object?> Split(string text, CallArguments arguments)
    {
        var values = arguments.Bind("str.split", 0, "sep", "maxsplit");
        var maxSplit = CallArguments.IsGiven(values[1]) ? TemplateValues.ToInteger(values[1], "maxsplit") : -1;
        return PythonText.Split(text, OptionalText(values[0], "sep"), maxSplit);
    }

    private static bool HasAffix(string text, CallArguments arguments, string name, bool atStart)
    {
        var affix = arguments.Bind($"str.{name}", 1, "prefix")[0];
        IEnumerable<object?> candidates = affix is TemplateTuple tuple ? tuple.Items : [affix];
        return candidates.Any(candidate =>
        {
            var part = TemplateValues.ExpectText(candidate, $"the argument of str.{name}()");
            return atStart ? text.StartsWith(part, StringComparison.Ordinal) : text.EndsWith(part, StringComparison.Ordinal);
        });
    }

    private static string Replace(string text, CallArguments arguments)
    {
        var values = arguments.Bind("str.replace", 2, "old", "new", "count");
        var count = CallArguments.IsGiven(values[2]) ? TemplateValues.ToInteger(values[2], "count") : -1;
        return PythonText.Replace(text, TemplateValues.ExpectText(values[0], "old"), TemplateValues.ExpectText(values[1], "new"), count);
    }

    private static long Find(string text, CallArguments arguments)
    {
        var part = TemplateValues.ExpectText(arguments.Bind("str.find", 1, "sub")[0], "sub");
        var at = text.IndexOf(part, StringComparison.Ordinal);
        return at < 0 ? -1 : PythonText.CodePointIndex(text, at);
    }

    private static long Count(string text, CallArguments arguments)
    {
        var part = TemplateValues.ExpectText(arguments.Bind("str.count", 1, "sub")[0], "sub");
        if (part.Length == 0)
            return PythonText.Length(text) + 1;
        var count = 0L;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    private static string Join(string separator, CallArguments arguments)
    {
        var items = TemplateValues.Iterate(arguments.Bind("str.join", 1, "iterable")[0]);
        return string.Join(separator, items.Select((item, index) => item as string
            ?? throw new ChatTemplateException($"sequence item {index}: expected str instance, {TemplateValues.TypeName(item)} found")));
    }

    private static string? OptionalText(object? value, string what) =>
        !CallArguments.IsGiven(value) || value is null ? null : TemplateValues.ExpectText(value, what);
}
