using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace SkyServe.Controller.Persistence;

/// <summary>
/// <see cref="ReplicaRecord.WorkerNodes"/> as stored: a JSON array of <c>{"rank", "launch_token", "instance_id", "endpoint"}</c>.
/// A column rather than a table: the nodes are read and written with their replica, always whole.
/// </summary>
public static class ReplicaNodesColumn
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static readonly ValueConverter<IReadOnlyList<ReplicaNode>?, string?> Converter = new(
        nodes => Format(nodes),
        column => Parse(column));

    /// <summary>Compares by content, so that a changed list is saved (the list is replaced, never changed in place).</summary>
    public static readonly ValueComparer<IReadOnlyList<ReplicaNode>?> Comparer = new(
        (a, b) => Format(a) == Format(b),
        nodes => (Format(nodes) ?? "").GetHashCode(StringComparison.Ordinal),
        nodes => nodes == null ? null : nodes.ToList());

    public static string? Format(IReadOnlyList<ReplicaNode>? nodes) => nodes is null ? null : JsonSerializer.Serialize(nodes, Json);

    public static IReadOnlyList<ReplicaNode>? Parse(string? column) =>
        column is null ? null : JsonSerializer.Deserialize<List<ReplicaNode>>(column, Json);
}
