using System.Diagnostics.CodeAnalysis;

namespace SkyServe.Inference.ChatTemplates;

/// <summary>The Python dict methods templates call: items(), keys(), values(), get(key, default).</summary>
internal static class MappingMethods
{
    public static bool TryBind(OrderedDictionary<object, object?> mapping, string name, [NotNullWhen(true)] out TemplateCallable? method)
    {
        Func<CallArguments, object?>? body = name switch
        {
            "items" => arguments => NoArguments(arguments, name, Items(mapping)),
            "keys" => arguments => NoArguments(arguments, name, mapping.Keys.Cast<object?>().ToList()),
            "values" => arguments => NoArguments(arguments, name, mapping.Values.ToList()),
            "get" => arguments => Get(mapping, arguments),
            _ => null,
        };
        method = body is null ? null : new TemplateCallable($"dict.{name}", (arguments, _) => body(arguments));
        return method is not null;
    }

    /// <summary>The (key, value) pairs in insertion order.</summary>
    public static List<object?> Items(OrderedDictionary<object, object?> mapping) =>
        mapping.Select(pair => (object?)new TemplateTuple(pair.Key, pair.Value)).ToList();

    private static object NoArguments(CallArguments arguments, string name, object result)
    {
        arguments.Bind($"dict.{name}", 0);
        return result;
    }

    private static object? Get(OrderedDictionary<object, object?> mapping, CallArguments arguments)
    {
        var values = arguments.Bind("dict.get", 1, "key", "default");
        if (values[0] is not null and not Undefined && mapping.TryGetValue(values[0]!, out var value))
            return value;
        return CallArguments.IsGiven(values[1]) ? values[1] : null;
    }
}
