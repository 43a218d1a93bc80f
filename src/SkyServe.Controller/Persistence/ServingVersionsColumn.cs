using System.Globalization;

namespace SkyServe.Controller.Persistence;

/// <summary><see cref="ServiceRecord.ServingVersions"/> as stored: the versions, comma-separated, in order.</summary>
public static class ServingVersionsColumn
{
    public static string Format(IEnumerable<int> versions) => string.Join(',', versions.Order().Select(v => v.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The versions, or null before the first plan (callers then serve every READY replica's version).</summary>
    public static IReadOnlySet<int>? Parse(string? column) =>
        column is null ? null
            : column.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToHashSet();
}
