namespace SkyServe.Inference.ChatTemplates;

/// <summary>The arguments of a call, filter or test: positional ones in order, then the name=value ones.</summary>
internal sealed class CallArguments(IReadOnlyList<object?> positional, IReadOnlyDictionary<string, object?> named)
{
    /// <summary>Stands for an optional parameter the caller left out (an explicit none or undefined is a value).</summary>
    public static readonly Undefined NotGiven = new("an optional argument was not given");

    public static readonly CallArguments None = new([], new Dictionary<string, object?>());

    public IReadOnlyList<object?> Positional => positional;

    public IReadOnlyDictionary<string, object?> Named => named;

    public static bool IsGiven(object? value) => !ReferenceEquals(value, NotGiven);

    /// <summary>
    /// Matches the arguments to a Python-style signature: the first <paramref name="required"/> of
    /// <paramref name="parameters"/> must be given, by position or name; the others are
    /// <see cref="NotGiven"/> when left out. Surplus or unknown arguments fail.
    /// </summary>
    public object?[] Bind(string function, int required, params string[] parameters)
    {
        if (positional.Count > parameters.Length)
            throw new ChatTemplateException($"{function}() takes at most {parameters.Length} argument{(parameters.Length == 1 ? "" : "s")} ({positional.Count} given)");
        var values = new object?[parameters.Length];
        Array.Fill(values, NotGiven);
        for (var i = 0; i < positional.Count; i++)
            values[i] = positional[i];
        foreach (var (name, value) in named)
        {
            var at = Array.IndexOf(parameters, name);
            if (at < 0)
                throw new ChatTemplateException($"{function}() got an unexpected keyword argument '{name}'");
            if (at < positional.Count)
                throw new ChatTemplateException($"{function}() got multiple values for argument '{name}'");
            values[at] = value;
        }
        for (var i = 0; i < required; i++)
            if (!IsGiven(values[i]))
                throw new ChatTemplateException($"{function}() is missing the required argument '{parameters[i]}'");
        return values;
    }

    /// <summary>These arguments without the first <paramref name="count"/> positional ones (for filters that pass the rest on).</summary>
    public CallArguments SkipPositional(int count) => new(positional.Skip(count).ToArray(), named);
}
