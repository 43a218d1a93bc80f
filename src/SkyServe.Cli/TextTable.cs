using System.Text;

namespace SkyServe.Cli;

/// <summary>A plain left-aligned table, as `sky serve status` prints.</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> rows = [];

    public void Add(params string?[] cells) => rows.Add(cells.Select(c => c ?? "-").ToArray());

    public override string ToString()
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(headers))
            text.AppendLine(string.Join("  ", row.Select((c, i) => i == row.Length - 1 ? c : c.PadRight(widths[i]))).TrimEnd());
        return text.ToString();
    }
}
