using System.Text.Json;

namespace SkyServe.Core.Traces;

/// <summary>
/// Reads one trace file: <c>{"metadata": {"gap_seconds": 300}, "data": [0, 0, 4, 4, 1, ...]}</c>. Anything that does
/// not fit fails with a <see cref="SpotTraceException"/> naming the file: a half-read trace would skew every figure
/// computed from it. Other keys are ignored.
/// </summary>
public static class SpotTraceParser
{
    public static SpotTrace Parse(string json, string fileName)
    {
        ArgumentNullException.ThrowIfNull(json);
        var name = SpotTraceName.Parse(fileName);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException exception)
        {
            throw new SpotTraceException(name.FileName, $"not valid JSON: {exception.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Error(name, $"expected an object with 'metadata' and 'data', found {Describe(root)}");
            var gap = ReadGap(root, name);
            var data = Property(root, "data", name);
            if (data.ValueKind != JsonValueKind.Array)
                throw Error(name, $"'data' must be an array of capacities, found {Describe(data)}");
            if (data.GetArrayLength() == 0)
                throw Error(name, "'data' is empty: a trace needs at least one sample");
            var samples = new int[data.GetArrayLength()];
            var index = 0;
            foreach (var item in data.EnumerateArray())
            {
                if (!TryReadWholeNumber(item, out var value))
                    throw Error(name, $"data[{index}] must be a whole number, found {Describe(item)}");
                if (value < 0)
                    throw Error(name, $"data[{index}] is {value}: a capacity cannot be negative");
                samples[index++] = value;
            }
            return new SpotTrace(name, gap, samples);
        }
    }

    private static int ReadGap(JsonElement root, SpotTraceName name)
    {
        var metadata = Property(root, "metadata", name);
        if (metadata.ValueKind != JsonValueKind.Object)
            throw Error(name, $"'metadata' must be an object holding 'gap_seconds', found {Describe(metadata)}");
        if (!metadata.TryGetProperty("gap_seconds", out var gap))
            throw Error(name, "'metadata.gap_seconds' is missing: the seconds between samples must come from the file");
        if (!TryReadWholeNumber(gap, out var seconds))
            throw Error(name, $"'metadata.gap_seconds' must be a whole number of seconds, found {Describe(gap)}");
        if (seconds <= 0)
            throw Error(name, $"'metadata.gap_seconds' must be positive, found {seconds}");
        return seconds;
    }

    private static JsonElement Property(JsonElement root, string key, SpotTraceName name) =>
        root.TryGetProperty(key, out var value) ? value : throw Error(name, $"'{key}' is missing");

    /// <summary>An integer, also written as <c>4.0</c> (some tools write floats); <c>4.5</c> or text is not.</summary>
    private static bool TryReadWholeNumber(JsonElement element, out int value)
    {
        value = 0;
        if (element.ValueKind != JsonValueKind.Number)
            return false;
        if (element.TryGetInt32(out value))
            return true;
        if (element.TryGetDouble(out var number) && number == Math.Floor(number) && number is >= int.MinValue and <= int.MaxValue)
        {
            value = (int)number;
            return true;
        }
        return false;
    }

    private static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{element.GetString()}\"",
        JsonValueKind.Number => element.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        JsonValueKind.Null => "null",
        _ => element.ValueKind.ToString(),
    };

    private static SpotTraceException Error(SpotTraceName name, string detail) => new(name.FileName, detail);
}
