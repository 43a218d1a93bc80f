using System.Collections.Immutable;

namespace SkyServe.Core.Traces;

/// <summary>
/// The traces of one folder, ordered by file name (ordinal), which is the order the paper's simulator takes zones in.
/// All traces of a folder start at the same moment.
/// </summary>
/// <remarks>
/// Traces of one folder may have different lengths (AWS2: 3247, 3274 and 3274 samples). Only the first
/// <see cref="CommonLength"/> samples are covered by every trace; <see cref="Aligned"/> cuts every trace to that,
/// which is what a replay over all zones at once should use.
/// </remarks>
public sealed record SpotTraceSet
{
    public SpotTraceSet(IEnumerable<SpotTrace> traces)
    {
        ArgumentNullException.ThrowIfNull(traces);
        var sorted = traces.OrderBy(t => t.FileName, StringComparer.Ordinal).ToImmutableArray();
        if (sorted.IsEmpty)
            throw new ArgumentException("a trace set needs at least one trace", nameof(traces));
        for (var i = 1; i < sorted.Length; i++)
            if (sorted[i].FileName == sorted[i - 1].FileName)
                throw new ArgumentException($"two traces are named {sorted[i].FileName}", nameof(traces));
        Traces = sorted;
        CommonLength = sorted.Min(t => t.Length);
    }

    /// <summary>Ordered by file name.</summary>
    public ImmutableArray<SpotTrace> Traces { get; }

    public int Count => Traces.Length;

    /// <summary>Distinct zones, in the order of their first trace.</summary>
    public ImmutableArray<string> Zones => [.. Traces.Select(t => t.Zone).Distinct()];

    /// <summary>The length of the shortest trace: the samples every trace covers.</summary>
    public int CommonLength { get; }

    /// <summary>Whether every trace has the same length.</summary>
    public bool HasEqualLengths => Traces.All(t => t.Length == CommonLength);

    /// <summary>The trace named <paramref name="name"/> (file name with or without extension).</summary>
    public SpotTrace this[string name] =>
        Traces.FirstOrDefault(t => t.Name == name || t.FileName == name)
        ?? throw new KeyNotFoundException($"no trace named {name}; there are {string.Join(", ", Traces.Select(t => t.Name))}");

    /// <summary>
    /// Every trace cut to <see cref="CommonLength"/> samples, so that sample <c>i</c> of every trace is the same moment.
    /// Needs one gap for all traces (cutting by sample count would otherwise misalign them).
    /// </summary>
    public SpotTraceSet Aligned()
    {
        if (Traces.Select(t => t.GapSeconds).Distinct().Count() > 1)
            throw new InvalidOperationException(
                $"traces with different gaps cannot be aligned by sample: {string.Join(", ", Traces.Select(t => $"{t.FileName} {t.GapSeconds} s"))}");
        return HasEqualLengths ? this : new SpotTraceSet(Traces.Select(t => t.Slice(0, CommonLength)));
    }

    /// <summary>The traces that <paramref name="predicate"/> keeps (e.g. one GPU of AWS-2022-2zone, which holds four per zone).</summary>
    public SpotTraceSet Where(Func<SpotTrace, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var kept = Traces.Where(predicate).ToList();
        return kept.Count > 0 ? new SpotTraceSet(kept) : throw new InvalidOperationException("no trace matches");
    }

    /// <summary>Reads every <c>*.json</c> directly in <paramref name="path"/> (not below it); nothing else is touched.</summary>
    public static SpotTraceSet LoadDirectory(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!Directory.Exists(path))
            throw new SpotTraceException(path, "trace folder not found");
        var files = Directory.EnumerateFiles(path, "*.json", SearchOption.TopDirectoryOnly)
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
            throw new SpotTraceException(path, "no trace files (*.json) in this folder");
        return new SpotTraceSet(files.Select(f => SpotTraceParser.Parse(File.ReadAllText(f), Path.GetFileName(f))));
    }

    public bool Equals(SpotTraceSet? other) => other is not null && Traces.SequenceEqual(other.Traces);

    public override int GetHashCode() => HashCode.Combine(Count, Traces[0]);

    public override string ToString() => $"{Count} traces: {string.Join(", ", Traces.Select(t => t.Name))}";
}
