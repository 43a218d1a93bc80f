namespace SkyServe.Core.Spec;

/// <summary>
/// One problem found in a service spec: the dotted key path (list items as <c>resources.any_of[1].infra</c>),
/// the 1-based line and column of the YAML node it is about, and what is wrong.
/// </summary>
public sealed record SpecError(string Path, int Line, int Column, string Message)
{
    /// <summary>
    /// <c>service.replica_policy.max_replicas (line 5, column 7): max_replicas must be &gt;= min_replicas</c>;
    /// errors about the whole document (empty input, syntax) have an empty path and print as <c>&lt;root&gt;</c>.
    /// </summary>
    public override string ToString() =>
        $"{(Path.Length == 0 ? "<root>" : Path)} (line {Line}, column {Column}): {Message}";
}
