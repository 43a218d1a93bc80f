using System.Text;

namespace SkyServe.Inference.ChatTemplates;

/// <summary>
/// Python's str operations where .NET's differ: whitespace as str.isspace sees it, strip with a
/// character set, split, replace with a count, and lengths and indexes in code points (a character
/// outside the BMP is one item in Python, two UTF-16 units in .NET).
/// </summary>
internal static class PythonText
{
    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    public static string Strip(string text, string? characters, bool left, bool right)
    {
        bool Strippable(char c) => characters is null ? IsSpace(c) : characters.Contains(c);
        var start = 0;
        var end = text.Length;
        if (left)
            while (start < end && Strippable(text[start]))
                start++;
        if (right)
            while (end > start && Strippable(text[end - 1]))
                end--;
        return text[start..end];
    }

    public static bool HasSurrogates(string text)
    {
        foreach (var c in text)
            if (char.IsSurrogate(c))
                return true;
        return false;
    }

    /// <summary>The text as Python indexes it: one string per code point (a lone surrogate counts as one).</summary>
    public static IReadOnlyList<string> CodePoints(string text)
    {
        var units = new List<string>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var pair = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
            units.Add(text.Substring(i, pair ? 2 : 1));
            if (pair)
                i++;
        }
        return units;
    }

    public static int Length(string text) => HasSurrogates(text) ? CodePoints(text).Count : text.Length;

    /// <summary>The code point index of a UTF-16 index.</summary>
    public static int CodePointIndex(string text, int utf16Index) =>
        HasSurrogates(text) ? Length(text[..utf16Index]) : utf16Index;

    /// <summary>str.split(sep, maxsplit): without a separator, splits on runs of whitespace and drops empty parts.</summary>
    public static List<object?> Split(string text, string? separator, long maxSplit)
    {
        var parts = new List<object?>();
        if (separator is null)
        {
            var i = 0;
            while (true)
            {
                while (i < text.Length && IsSpace(text[i]))
                    i++;
                if (i >= text.Length)
                    break;
                if (maxSplit >= 0 && parts.Count == maxSplit)
                {
                    parts.Add(text[i..]);
                    break;
                }
                var start = i;
                while (i < text.Length && !IsSpace(text[i]))
                    i++;
                parts.Add(text[start..i]);
            }
            return parts;
        }
        if (separator.Length == 0)
            throw new ChatTemplateException("empty separator");
        var from = 0;
        while (maxSplit < 0 || parts.Count < maxSplit)
        {
            var at = text.IndexOf(separator, from, StringComparison.Ordinal);
            if (at < 0)
                break;
            parts.Add(text[from..at]);
            from = at + separator.Length;
        }
        parts.Add(text[from..]);
        return parts;
    }

    /// <summary>str.replace(old, new, count): count &lt; 0 replaces all; an empty old inserts between characters.</summary>
    public static string Replace(string text, string old, string replacement, long count)
    {
        var result = new StringBuilder();
        var done = 0L;
        if (old.Length == 0)
        {
            foreach (var unit in CodePoints(text))
            {
                if (count < 0 || done < count)
                {
                    result.Append(replacement);
                    done++;
                }
                result.Append(unit);
            }
            if (count < 0 || done < count)
                result.Append(replacement);
            return result.ToString();
        }
        var from = 0;
        while (count < 0 || done < count)
        {
            var at = text.IndexOf(old, from, StringComparison.Ordinal);
            if (at < 0)
                break;
            result.Append(text, from, at - from).Append(replacement);
            from = at + old.Length;
            done++;
        }
        return result.Append(text, from, text.Length - from).ToString();
    }

    /// <summary>str.splitlines() without keepends.</summary>
    public static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is not ('\n' or '\r' or '\v' or '\f' or '\x1c' or '\x1d' or '\x1e' or '\x85' or '\u2028' or '\u2029'))
                continue;
            lines.Add(text[start..i]);
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                i++;
            start = i + 1;
        }
        if (start < text.Length)
            lines.Add(text[start..]);
        return lines;
    }

    /// <summary>str.capitalize(): the first character upper case, the rest lower case.</summary>
    public static string Capitalize(string text) =>
        text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..].ToLowerInvariant();

    /// <summary>str.title(): upper case after any character without case, lower case elsewhere.</summary>
    public static string Title(string text)
    {
        var result = new StringBuilder(text.Length);
        var previousCased = false;
        foreach (var c in text)
        {
            var cased = char.IsUpper(c) || char.IsLower(c);
            result.Append(!cased ? c : previousCased ? char.ToLowerInvariant(c) : char.ToUpperInvariant(c));
            previousCased = cased;
        }
        return result.ToString();
    }
}
