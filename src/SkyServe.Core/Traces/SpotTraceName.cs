using System.Text.RegularExpressions;

namespace SkyServe.Core.Traces;

/// <summary>
/// Who a trace is about, as its file name says: <c>&lt;zone&gt;_&lt;gpu&gt;_&lt;count&gt;.json</c>
/// (e.g. <c>us-west-2c_v100_1.json</c>). Names that do not follow the pattern are still accepted: the whole name
/// (without extension) is then the zone, and GPU and count are unknown.
/// </summary>
/// <remarks>
/// The count is whatever the name says. In the shared AWS traces it is the GPUs of the instance type
/// (<c>_1</c> = p3.2xlarge, <c>_8</c> = p3.16xlarge), not a bound on the data: AWS1's <c>_1</c> files hold 0..4.
/// Use <see cref="SpotTrace.PeakCapacity"/> for the most the data reaches.
/// </remarks>
/// <param name="FileName">The file name with extension, without folder; traces of a folder are ordered by it.</param>
/// <param name="Name">The file name without extension; unique within a folder.</param>
/// <param name="Zone">The failure domain, e.g. <c>us-west-2c</c>.</param>
/// <param name="Gpu">e.g. <c>v100</c>; null when the name does not follow the pattern.</param>
/// <param name="NodeCount">The <c>&lt;count&gt;</c> of the name; null when the name does not follow the pattern.</param>
public sealed partial record SpotTraceName(string FileName, string Name, string Zone, string? Gpu, int? NodeCount)
{
    /// <summary>Reads a file name (a folder part, if any, is ignored).</summary>
    public static SpotTraceName Parse(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var file = Path.GetFileName(fileName);
        var name = Path.GetFileNameWithoutExtension(file);
        if (name.Length == 0)
            throw new SpotTraceException(fileName, "the file name is empty, so it names no zone");
        var match = Pattern().Match(name);
        return match.Success && int.TryParse(match.Groups["count"].Value, out var count)
            ? new SpotTraceName(file, name, match.Groups["zone"].Value, match.Groups["gpu"].Value, count)
            : new SpotTraceName(file, name, name, null, null);
    }

    /// <summary>The name a trace of <paramref name="zone"/> would have on disk (used for generated traces).</summary>
    public static SpotTraceName For(string zone, string gpu, int nodeCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(zone);
        ArgumentException.ThrowIfNullOrWhiteSpace(gpu);
        ArgumentOutOfRangeException.ThrowIfNegative(nodeCount);
        var name = $"{zone}_{gpu}_{nodeCount}";
        return new SpotTraceName(name + ".json", name, zone, gpu, nodeCount);
    }

    [GeneratedRegex(@"^(?<zone>[^_]+)_(?<gpu>[^_]+)_(?<count>[0-9]{1,6})$")]
    private static partial Regex Pattern();
}
