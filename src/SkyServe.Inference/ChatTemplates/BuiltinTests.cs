using System.Diagnostics.CodeAnalysis;

namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// Jinja's tests (value is defined, value is string, value is divisibleby 3...), including the operator
/// aliases select() and selectattr() use, such as "equalto" and "==".
/// </summary>
internal static class BuiltinTests
{
    private static readonly Dictionary<string, TemplateTest> Tests = new(StringComparer.Ordinal)
    {
        ["defined"] = (value, arguments) => NoArguments(arguments, "defined", value is not Undefined),
        ["undefined"] = (value, arguments) => NoArguments(arguments, "undefined", value is Undefined),
        ["none"] = (value, arguments) => NoArguments(arguments, "none", value is null),
        ["boolean"] = (value, arguments) => NoArguments(arguments, "boolean", value is bool),
        ["true"] = (value, arguments) => NoArguments(arguments, "true", value is true),
        ["false"] = (value, arguments) => NoArguments(arguments, "false", value is false),
        ["integer"] = (value, arguments) => NoArguments(arguments, "integer", value is long),
        ["float"] = (value, arguments) => NoArguments(arguments, "float", value is double),
        ["number"] = (value, arguments) => NoArguments(arguments, "number", TemplateValues.IsNumber(value)),
        ["string"] = (value, arguments) => NoArguments(arguments, "string", value is string),
        ["mapping"] = (value, arguments) => NoArguments(arguments, "mapping", value is OrderedDictionary<object, object?>),
        // Like Python's iter() and len()+[]: strings and dicts count, and so does Undefined.
        ["iterable"] = (value, arguments) => NoArguments(arguments, "iterable", value is string or List<object?> or TemplateTuple or OrderedDictionary<object, object?> or Undefined),
        ["sequence"] = (value, arguments) => NoArguments(arguments, "sequence", value is string or List<object?> or TemplateTuple or OrderedDictionary<object, object?> or Undefined),
        ["callable"] = (value, arguments) => NoArguments(arguments, "callable", value is TemplateCallable),
        ["sameas"] = (value, arguments) => SameAs(value, Other(arguments, "sameas")),
        ["eq"] = Equal,
        ["equalto"] = Equal,
        ["=="] = Equal,
        ["ne"] = (value, arguments) => !ValueOperators.AreEqual(value, Other(arguments, "ne")),
        ["!="] = (value, arguments) => !ValueOperators.AreEqual(value, Other(arguments, "!=")),
        ["lt"] = (value, arguments) => ValueOperators.Compare("<", value, Other(arguments, "lt")),
        ["lessthan"] = (value, arguments) => ValueOperators.Compare("<", value, Other(arguments, "lessthan")),
        ["<"] = (value, arguments) => ValueOperators.Compare("<", value, Other(arguments, "<")),
        ["le"] = (value, arguments) => ValueOperators.Compare("<=", value, Other(arguments, "le")),
        ["<="] = (value, arguments) => ValueOperators.Compare("<=", value, Other(arguments, "<=")),
        ["gt"] = (value, arguments) => ValueOperators.Compare(">", value, Other(arguments, "gt")),
        ["greaterthan"] = (value, arguments) => ValueOperators.Compare(">", value, Other(arguments, "greaterthan")),
        [">"] = (value, arguments) => ValueOperators.Compare(">", value, Other(arguments, ">")),
        ["ge"] = (value, arguments) => ValueOperators.Compare(">=", value, Other(arguments, "ge")),
        [">="] = (value, arguments) => ValueOperators.Compare(">=", value, Other(arguments, ">=")),
        ["in"] = (value, arguments) => ValueOperators.Contains(arguments.Bind("in", 1, "seq")[0], value),
        ["odd"] = (value, arguments) => NoArguments(arguments, "odd", TemplateValues.ToInteger(value, "the value of 'odd'") % 2 != 0),
        ["even"] = (value, arguments) => NoArguments(arguments, "even", TemplateValues.ToInteger(value, "the value of 'even'") % 2 == 0),
        ["divisibleby"] = DivisibleBy,
        ["lower"] = (value, arguments) => NoArguments(arguments, "lower", value is string text && text.Any(char.IsLower) && !text.Any(char.IsUpper)),
        ["upper"] = (value, arguments) => NoArguments(arguments, "upper", value is string text && text.Any(char.IsUpper) && !text.Any(char.IsLower)),
        ["escaped"] = (_, arguments) => NoArguments(arguments, "escaped", false),
        ["filter"] = (value, arguments) => NoArguments(arguments, "filter", value is string name && BuiltinFilters.TryGet(name, out _)),
        ["test"] = (value, arguments) => NoArguments(arguments, "test", value is string name && TryGet(name, out _)),
    };

    public static bool TryGet(string name, [NotNullWhen(true)] out TemplateTest? test) => Tests.TryGetValue(name, out test);

    private static bool NoArguments(CallArguments arguments, string test, bool result)
    {
        arguments.Bind(test, 0);
        return result;
    }

    private static object? Other(CallArguments arguments, string test) => arguments.Bind(test, 1, "other")[0];

    private static bool Equal(object? value, CallArguments arguments) => ValueOperators.AreEqual(value, Other(arguments, "eq"));

    // Python's `is`: None, True and False are singletons; numbers and text compare by value; containers by identity.
    private static bool SameAs(object? value, object? other) => (value, other) switch
    {
        (null, null) => true,
        (bool a, bool b) => a == b,
        (long a, long b) => a == b,
        (string a, string b) => a == b,
        _ => value is not null && ReferenceEquals(value, other),
    };

    private static bool DivisibleBy(object? value, CallArguments arguments)
    {
        var divisor = TemplateValues.ToInteger(arguments.Bind("divisibleby", 1, "num")[0], "the divisor");
        if (divisor == 0)
            throw new ChatTemplateException("integer division or modulo by zero");
        return TemplateValues.ToInteger(value, "the value of 'divisibleby'") % divisor == 0;
    }
}
