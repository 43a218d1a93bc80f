namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// Lookups as Jinja does them: value.name tries a method or attribute, then an item; value[key] tries the
/// item, then an attribute. A miss gives Undefined; only a lookup on Undefined itself fails.
/// </summary>
internal static class ValueAccess
{
    public static object? GetAttribute(object? target, string name)
    {
        switch (target)
        {
            case Undefined undefined:
                throw undefined.Failure();
            case OrderedDictionary<object, object?> mapping:
                if (MappingMethods.TryBind(mapping, name, out var mappingMethod))
                    return mappingMethod;
                return mapping.TryGetValue(name, out var value) ? value : Undefined.Attribute(target, name);
            case string text:
                return StringMethods.TryBind(text, name, out var textMethod) ? textMethod : Undefined.Attribute(target, name);
            case TemplateNamespace ns:
                return ns.Attributes.TryGetValue(name, out var attribute) ? attribute : Undefined.Attribute(target, name);
            case LoopContext loop:
                return loop.GetAttribute(name);
            default:
                return Undefined.Attribute(target, name);
        }
    }

    public static object? GetItem(object? target, object? key)
    {
        switch (target)
        {
            case Undefined undefined:
                throw undefined.Failure();
            case OrderedDictionary<object, object?> mapping:
                if (key is not null && mapping.TryGetValue(key, out var value))
                    return value;
                break;
            case List<object?> list when key is long or bool:
                return ElementAt(list, key, target);
            case TemplateTuple tuple when key is long or bool:
                return ElementAt(tuple.Items, key, target);
            case string text when key is long or bool:
                return ElementAt(PythonText.CodePoints(text), key, target);
        }
        return key is string name ? GetAttribute(target, name) : Undefined.Element(target, key);
    }

    /// <summary>value[start:stop:step] with Python's rules; any bound may be none (omitted).</summary>
    public static object? Slice(object? target, object? start, object? stop, object? step)
    {
        if (target is Undefined undefined)
            throw undefined.Failure();
        var stepValue = step is null ? 1 : TemplateValues.ToInteger(step, "a slice step");
        if (stepValue == 0)
            throw new ChatTemplateException("slice step cannot be zero");
        switch (target)
        {
            case List<object?> list:
                return Pick(list, start, stop, stepValue).ToList();
            case TemplateTuple tuple:
                return new TemplateTuple([.. Pick(tuple.Items, start, stop, stepValue)]);
            case string text:
                return string.Concat(Pick(PythonText.CodePoints(text), start, stop, stepValue));
            default:
                throw new ChatTemplateException($"'{TemplateValues.TypeName(target)}' object is not subscriptable");
        }
    }

    public static object? Call(object? callee, CallArguments arguments, RenderState state) => callee switch
    {
        TemplateCallable callable => callable.Invoke(arguments, state),
        Undefined undefined => throw undefined.Failure(),
        _ => throw new ChatTemplateException($"'{TemplateValues.TypeName(callee)}' object is not callable"),
    };

    private static object? ElementAt<T>(IReadOnlyList<T> items, object key, object target)
    {
        var index = TemplateValues.ToInteger(key, "an index");
        if (index < 0)
            index += items.Count;
        return index >= 0 && index < items.Count ? items[(int)index] : Undefined.Element(target, key);
    }

    private static IEnumerable<T> Pick<T>(IReadOnlyList<T> items, object? start, object? stop, long step)
    {
        long count = items.Count;
        long Bound(object? value, long whenOmitted, long low, long high)
        {
            if (value is null)
                return whenOmitted;
            var bound = TemplateValues.ToInteger(value, "a slice index");
            if (bound < 0)
                bound += count;
            return Math.Clamp(bound, low, high);
        }
        if (step > 0)
        {
            var from = Bound(start, 0, 0, count);
            var to = Bound(stop, count, 0, count);
            for (var i = from; i < to; i += step)
                yield return items[(int)i];
        }
        else
        {
            var from = Bound(start, count - 1, -1, count - 1);
            var to = Bound(stop, -1, -1, count - 1);
            for (var i = from; i > to; i += step)
                yield return items[(int)i];
        }
    }
}
