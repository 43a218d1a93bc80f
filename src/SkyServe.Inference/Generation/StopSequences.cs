namespace SkyServe.Inference.Generation;

/// <summary>
/// Stop strings over streamed text: finds the first stop, and holds back the tail that could still become
/// one, so that a client never receives text that a stop sequence later cuts off.
/// </summary>
public sealed class StopSequences(IReadOnlyList<string>? stops)
{
    private readonly string[] stops = (stops ?? []).Where(s => s.Length > 0).ToArray();

    /// <summary>Index of the earliest stop in <paramref name="text"/>, or -1.</summary>
    public int FindStop(string text)
    {
        var first = -1;
        foreach (var stop in stops)
        {
            var at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first < 0 || at < first))
                first = at;
        }
        return first;
    }

    /// <summary>How many characters at the end of <paramref name="text"/> are a prefix of some stop and must wait.</summary>
    public int HeldBack(string text)
    {
        var held = 0;
        foreach (var stop in stops)
            for (var length = Math.Min(stop.Length - 1, text.Length); length > held; length--)
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    held = length;
                    break;
                }
        return held;
    }
}
