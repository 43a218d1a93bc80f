using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// State shared by the readers of one parse: the errors found so far and where each key path sits in the
/// text, so that rules checked after reading can still point at the right line and column.
/// </summary>
internal sealed class SpecReadContext
{
    private readonly List<SpecError> errors = [];
    private readonly Dictionary<string, Mark> positions = new(StringComparer.Ordinal);

    public IReadOnlyList<SpecError> Errors => errors;

    public bool HasErrors => errors.Count > 0;

    public void Error(string path, Mark at, string message) =>
        errors.Add(new SpecError(path, ToInt(at.Line), ToInt(at.Column), message));

    public void Error(string path, YamlNode at, string message) => Error(path, at.Start, message);

    /// <summary>Reports at the position remembered for <paramref name="path"/> (or its nearest remembered parent).</summary>
    public void Error(string path, string message) => Error(path, Locate(path), message);

    /// <summary>Whether anything at or below <paramref name="path"/> already failed, so dependent rules can stay quiet.</summary>
    public bool HasErrorsUnder(string path) =>
        errors.Exists(error => path.Length == 0
            || error.Path == path
            || error.Path.StartsWith(path + ".", StringComparison.Ordinal)
            || error.Path.StartsWith(path + "[", StringComparison.Ordinal));

    public void Remember(string path, YamlNode node) => positions.TryAdd(path, node.Start);

    public Mark Locate(string path)
    {
        for (string? current = path; current is not null; current = SpecPath.Parent(current))
        {
            if (positions.TryGetValue(current, out var mark))
                return mark;
        }
        return new Mark(0, 1, 1);
    }

    // Marks are 1-based longs; a spec is capped far below int.MaxValue lines.
    private static int ToInt(long value) => value is < 1 ? 1 : value > int.MaxValue ? int.MaxValue : (int)value;
}
