namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// Python's operators on template values: int arithmetic stays int (/ gives a float, // and % floor),
/// + joins strings, lists and tuples, * repeats them, comparisons chain through
/// <see cref="Compare"/>. Any operand that is Undefined fails, as in Jinja, except for == and !=.
/// </summary>
internal static class ValueOperators
{
    // Keeps a stray huge repeat count ('x' * 10**12) from exhausting memory.
    private const long MaxRepeatedItems = 10_000_000;

    public static object? Add(object? left, object? right)
    {
        FailIfUndefined(left, right);
        if (TryIntegers(left, right, out var a, out var b))
            return Checked(() => checked(a + b));
        if (TryNumbers(left, right, out var x, out var y))
            return x + y;
        return (left, right) switch
        {
            (string l, string r) => l + r,
            (List<object?> l, List<object?> r) => l.Concat(r).ToList(),
            (TemplateTuple l, TemplateTuple r) => new TemplateTuple([.. l.Items, .. r.Items]),
            (string or List<object?> or TemplateTuple, _) => throw new ChatTemplateException(
                $"can only concatenate {TemplateValues.TypeName(left)} (not \"{TemplateValues.TypeName(right)}\") to {TemplateValues.TypeName(left)}"),
            _ => throw Unsupported("+", left, right),
        };
    }

    public static object? Subtract(object? left, object? right)
    {
        FailIfUndefined(left, right);
        if (TryIntegers(left, right, out var a, out var b))
            return Checked(() => checked(a - b));
        if (TryNumbers(left, right, out var x, out var y))
            return x - y;
        throw Unsupported("-", left, right);
    }

    public static object? Multiply(object? left, object? right)
    {
        FailIfUndefined(left, right);
        if (TryIntegers(left, right, out var a, out var b))
            return Checked(() => checked(a * b));
        if (TryNumbers(left, right, out var x, out var y))
            return x * y;
        return (left, right) switch
        {
            (string text, long or bool) => Repeat(text, right),
            (long or bool, string text) => Repeat(text, left),
            (List<object?> list, long or bool) => Repeat(list, right),
            (long or bool, List<object?> list) => Repeat(list, left),
            _ => throw Unsupported("*", left, right),
        };
    }

    public static object? Divide(object? left, object? right)
    {
        FailIfUndefined(left, right);
        if (!TryNumbers(left, right, out var x, out var y))
            throw Unsupported("/", left, right);
        return y == 0 ? throw new ChatTemplateException("division by zero") : x / y;
    }

    public static object? FloorDivide(object? left, object? right)
    {
        FailIfUndefined(left, right);
        if (TryIntegers(left, right, out var a, out var b))
        {
            if (b == 0)
                throw new ChatTemplateException("integer division or modulo by zero");
            var quotient = a / b;
            return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient;
        }
        if (!TryNumbers(left, right, out var x, out var y))
            throw Unsupported("//", left, right);
        return y == 0 ? throw new ChatTemplateException("float floor division by zero") : Math.Floor(x / y);
    }

    public static object? Modulo(object? left, object? right)
    {
        FailIfUndefined(left, right);
        if (TryIntegers(left, right, out var a, out var b))
        {
            if (b == 0)
                throw new ChatTemplateException("integer division or modulo by zero");
            var remainder = a % b;
            return remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder;
        }
        if (TryNumbers(left, right, out var x, out var y))
            return y == 0 ? throw new ChatTemplateException("float modulo by zero") : x - y * Math.Floor(x / y);
        if (left is string)
            throw new ChatTemplateException("'%' string formatting is not supported; join text with '~' or '+'");
        throw Unsupported("%", left, right);
    }

    public static object? Power(object? left, object? right)
    {
        FailIfUndefined(left, right);
        if (TryIntegers(left, right, out var a, out var b) && b >= 0)
            return Checked(() =>
            {
                // Exponentiation by squaring; squaring only happens while bits remain, so it overflows only when the result would.
                var (result, factor, exponent) = (1L, a, b);
                while (exponent > 0)
                {
                    if ((exponent & 1) == 1)
                        result = checked(result * factor);
                    exponent >>= 1;
                    if (exponent > 0)
                        factor = checked(factor * factor);
                }
                return result;
            });
        if (TryNumbers(left, right, out var x, out var y))
            return Math.Pow(x, y);
        throw Unsupported("**", left, right);
    }

    public static object? Negate(object? operand) => operand switch
    {
        long number => Checked(() => checked(-number)),
        bool flag => flag ? -1L : 0L,
        double number => -number,
        Undefined undefined => throw undefined.Failure(),
        _ => throw new ChatTemplateException($"bad operand type for unary -: '{TemplateValues.TypeName(operand)}'"),
    };

    public static object? Plus(object? operand) => operand switch
    {
        long or double => operand,
        bool flag => flag ? 1L : 0L,
        Undefined undefined => throw undefined.Failure(),
        _ => throw new ChatTemplateException($"bad operand type for unary +: '{TemplateValues.TypeName(operand)}'"),
    };

    /// <summary>a ~ b: both as text, joined.</summary>
    public static string Concatenate(object? left, object? right) => ValueText.ToText(left) + ValueText.ToText(right);

    /// <summary>One link of a comparison chain: ==, !=, &lt;, &lt;=, &gt;, &gt;=, in, not in.</summary>
    public static bool Compare(string op, object? left, object? right) => op switch
    {
        "==" => AreEqual(left, right),
        "!=" => !AreEqual(left, right),
        "in" => Contains(right, left),
        "not in" => !Contains(right, left),
        "<" => Order(left, right, op) < 0,
        "<=" => Order(left, right, op) <= 0,
        ">" => Order(left, right, op) > 0,
        ">=" => Order(left, right, op) >= 0,
        _ => throw new ChatTemplateException($"unknown comparison '{op}'"),
    };

    public static bool AreEqual(object? left, object? right)
    {
        if (left is null || right is null)
            return left is null && right is null;
        if (TemplateValues.IsNumber(left) && TemplateValues.IsNumber(right))
            return TryIntegers(left, right, out var a, out var b) ? a == b : ToDouble(left) == ToDouble(right);
        return left switch
        {
            string text => right is string other && text == other,
            List<object?> list => right is List<object?> other && SequenceEqual(list, other),
            TemplateTuple tuple => right is TemplateTuple other && SequenceEqual(tuple.Items, other.Items),
            OrderedDictionary<object, object?> mapping => right is OrderedDictionary<object, object?> other
                && mapping.Count == other.Count
                && mapping.All(pair => other.TryGetValue(pair.Key, out var value) && AreEqual(pair.Value, value)),
            Undefined => right is Undefined,
            _ => ReferenceEquals(left, right),
        };
    }

    /// <summary>item in container: a key of a dict, a substring of a string, an element of a list or tuple.</summary>
    public static bool Contains(object? container, object? item) => container switch
    {
        string text => item is string part
            ? text.Contains(part, StringComparison.Ordinal)
            : item is Undefined undefined
                ? throw undefined.Failure()
                : throw new ChatTemplateException($"'in <string>' requires string as left operand, not {TemplateValues.TypeName(item)}"),
        List<object?> list => list.Any(element => AreEqual(element, item)),
        TemplateTuple tuple => tuple.Items.Any(element => AreEqual(element, item)),
        OrderedDictionary<object, object?> mapping => item is not null && mapping.ContainsKey(item),
        Undefined => false,
        _ => throw new ChatTemplateException($"argument of type '{TemplateValues.TypeName(container)}' is not iterable"),
    };

    /// <summary>Python ordering: numbers by value, strings by code point, lists and tuples item by item.</summary>
    public static int Order(object? left, object? right, string op = "<")
    {
        FailIfUndefined(left, right);
        if (TryIntegers(left, right, out var a, out var b))
            return a.CompareTo(b);
        if (TryNumbers(left, right, out var x, out var y))
            return x.CompareTo(y);
        return (left, right) switch
        {
            (string l, string r) => string.CompareOrdinal(l, r),
            (List<object?> l, List<object?> r) => OrderSequences(l, r, op),
            (TemplateTuple l, TemplateTuple r) => OrderSequences(l.Items, r.Items, op),
            _ => throw new ChatTemplateException(
                $"'{op}' not supported between instances of '{TemplateValues.TypeName(left)}' and '{TemplateValues.TypeName(right)}'"),
        };
    }

    private static int OrderSequences(IReadOnlyList<object?> left, IReadOnlyList<object?> right, string op)
    {
        for (var i = 0; i < Math.Min(left.Count, right.Count); i++)
            if (!AreEqual(left[i], right[i]))
                return Order(left[i], right[i], op);
        return left.Count.CompareTo(right.Count);
    }

    private static bool SequenceEqual(IReadOnlyList<object?> left, IReadOnlyList<object?> right)
    {
        if (left.Count != right.Count)
            return false;
        for (var i = 0; i < left.Count; i++)
            if (!AreEqual(left[i], right[i]))
                return false;
        return true;
    }

    private static object? Repeat(string text, object? times)
    {
        var count = TemplateValues.ToInteger(times, "a repeat count");
        if (count <= 0)
            return "";
        if (count * (double)text.Length > MaxRepeatedItems)
            throw new ChatTemplateException("the repeated string would be too long");
        return string.Concat(Enumerable.Repeat(text, (int)count));
    }

    private static object? Repeat(List<object?> list, object? times)
    {
        var count = TemplateValues.ToInteger(times, "a repeat count");
        if (count * (double)list.Count > MaxRepeatedItems)
            throw new ChatTemplateException("the repeated list would be too long");
        var result = new List<object?>();
        for (var i = 0L; i < count; i++)
            result.AddRange(list);
        return result;
    }

    private static bool TryIntegers(object? left, object? right, out long a, out long b)
    {
        a = b = 0;
        if (left is not (long or bool) || right is not (long or bool))
            return false;
        a = left is bool l ? (l ? 1 : 0) : (long)left;
        b = right is bool r ? (r ? 1 : 0) : (long)right;
        return true;
    }

    private static bool TryNumbers(object? left, object? right, out double x, out double y)
    {
        x = y = 0;
        if (!TemplateValues.IsNumber(left) || !TemplateValues.IsNumber(right))
            return false;
        x = ToDouble(left);
        y = ToDouble(right);
        return true;
    }

    private static double ToDouble(object? value) => value switch
    {
        long number => number,
        double number => number,
        bool flag => flag ? 1 : 0,
        _ => 0,
    };

    private static object Checked(Func<long> compute)
    {
        try
        {
            return compute();
        }
        catch (OverflowException)
        {
            throw new ChatTemplateException("integer overflow");
        }
    }

    private static void FailIfUndefined(object? left, object? right)
    {
        if (left is Undefined undefinedLeft)
            throw undefinedLeft.Failure();
        if (right is Undefined undefinedRight)
            throw undefinedRight.Failure();
    }

    private static ChatTemplateException Unsupported(string op, object? left, object? right) =>
        new($"unsupported operand type(s) for {op}: '{TemplateValues.TypeName(left)}' and '{TemplateValues.TypeName(right)}'");
}
