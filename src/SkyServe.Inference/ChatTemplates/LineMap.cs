namespace SkyServe.Inference.ChatTemplates;

/// <summary>Turns offsets in the template source into lines and columns for error messages.</summary>
internal sealed class LineMap
{
    private readonly List<int> lineStarts = [0];

    public LineMap(string source)
    {
        for (var i = 0; i < source.Length; i++)
            if (source[i] == '\n')
                lineStarts.Add(i + 1);
    }

    public SourcePosition PositionOf(int offset)
    {
        var line = lineStarts.BinarySearch(offset);
        if (line < 0)
            line = ~line - 1;
        return new SourcePosition(line + 1, offset - lineStarts[line] + 1);
    }
}
