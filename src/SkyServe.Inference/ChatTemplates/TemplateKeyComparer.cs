using System.Runtime.CompilerServices;

namespace SkyServe.Inference.ChatTemplates;

/// <summary>Dict key equality as in Python: 1, 1.0 and True are the same key; text compares by ordinal.</summary>
internal sealed class TemplateKeyComparer : IEqualityComparer<object>
{
    public static TemplateKeyComparer Instance { get; } = new();

    bool IEqualityComparer<object>.Equals(object? x, object? y) => ValueOperators.AreEqual(x, y);

    public int GetHashCode(object value) => value switch
    {
        string text => StringComparer.Ordinal.GetHashCode(text),
        bool flag => flag ? 1 : 0,
        long number => number.GetHashCode(),
        double number when double.IsInteger(number) && Math.Abs(number) < 9e18 => ((long)number).GetHashCode(),
        double number => number.GetHashCode(),
        TemplateTuple tuple => tuple.Items.Aggregate(17, (hash, item) => HashCode.Combine(hash, item is null ? 0 : GetHashCode(item))),
        List<object?> or OrderedDictionary<object, object?> =>
            throw new ChatTemplateException($"unhashable type: '{TemplateValues.TypeName(value)}'"),
        _ => RuntimeHelpers.GetHashCode(value),
    };
}
