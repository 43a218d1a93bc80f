namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// The functions every template can call: Hugging Face's raise_exception(message) and
/// strftime_now(format), and Jinja's range, namespace and dict. Context variables of the same name win.
/// </summary>
internal static class BuiltinGlobals
{
    // range() is lazy in Python; a list this long is already far beyond any chat template's use.
    private const long MaxRangeLength = 1_000_000;

    /// <summary>The outermost scope of every render; never written to, so renders may share it.</summary>
    public static Scope Scope { get; } = Build();

    private static Scope Build()
    {
        var scope = new Scope(null);
        void Define(string name, Func<CallArguments, RenderState, object?> invoke) => scope.Set(name, new TemplateCallable(name, invoke));
        Define("raise_exception", (arguments, _) =>
            throw new ChatTemplateRaisedException(ValueText.ToText(arguments.Bind("raise_exception", 1, "message")[0])));
        Define("strftime_now", (arguments, state) =>
            Strftime.Format(state.Clock.GetLocalNow(), TemplateValues.ExpectText(arguments.Bind("strftime_now", 1, "format")[0], "the format")));
        Define("range", (arguments, _) => Range(arguments));
        Define("namespace", (arguments, _) => Namespace(arguments));
        Define("dict", (arguments, _) => Dict(arguments));
        return scope;
    }

    private static List<object?> Range(CallArguments arguments)
    {
        var values = arguments.Bind("range", 1, "start", "stop", "step")
            .Select(value => CallArguments.IsGiven(value) ? TemplateValues.ToInteger(value, "a range() argument") : (long?)null)
            .ToArray();
        var (start, stop) = values[1] is null ? (0L, values[0]!.Value) : (values[0]!.Value, values[1]!.Value);
        var step = values[2] ?? 1;
        if (step == 0)
            throw new ChatTemplateException("range() arg 3 must not be zero");
        var length = step > 0 ? (stop - start + step - 1) / step : (start - stop - step - 1) / -step;
        if (length > MaxRangeLength)
            throw new ChatTemplateException($"range() of {length} items is too long");
        var items = new List<object?>();
        for (var i = 0L; i < length; i++)
            items.Add(start + i * step);
        return items;
    }

    private static TemplateNamespace Namespace(CallArguments arguments)
    {
        var ns = new TemplateNamespace();
        foreach (var (key, value) in Pairs("namespace", arguments))
            ns.Attributes[key] = value;
        return ns;
    }

    private static OrderedDictionary<object, object?> Dict(CallArguments arguments)
    {
        var mapping = TemplateValues.NewMapping();
        foreach (var (key, value) in Pairs("dict", arguments))
            mapping[key] = value;
        return mapping;
    }

    // dict(mapping, **kwargs) and namespace(mapping, **kwargs): a dict to start from, then name=value pairs.
    private static IEnumerable<(string Key, object? Value)> Pairs(string function, CallArguments arguments)
    {
        if (arguments.Positional.Count > 1)
            throw new ChatTemplateException($"{function}() takes at most 1 positional argument");
        if (arguments.Positional.Count == 1)
        {
            if (arguments.Positional[0] is not OrderedDictionary<object, object?> initial)
                throw new ChatTemplateException($"{function}() needs a dict as its positional argument");
            foreach (var (key, value) in initial)
                yield return (ValueText.ToText(key), value);
        }
        foreach (var (key, value) in arguments.Named)
            yield return (key, value);
    }
}
