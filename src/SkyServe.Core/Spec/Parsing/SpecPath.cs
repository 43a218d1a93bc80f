namespace SkyServe.Core.Spec.Parsing;

/// <summary>Builds the dotted key paths errors carry: <c>service.replica_policy.min_replicas</c>, <c>resources.any_of[1].infra</c>.</summary>
internal static class SpecPath
{
    public const string Root = "";

    public static string Child(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

    public static string Item(string parent, int index) => $"{parent}[{index}]";

    /// <summary>The last key of a path (<c>min_replicas</c> for <c>service.replica_policy.min_replicas</c>), for messages.</summary>
    public static string LastKey(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? path : path[(dot + 1)..];
    }

    /// <summary>The enclosing path, or null at the root.</summary>
    public static string? Parent(string path)
    {
        if (path.Length == 0)
            return null;
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut < 0 ? Root : path[..cut];
    }
}
