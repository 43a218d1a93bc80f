using SkyServe.Core.Traces;
using SkyServe.Testing;

namespace SkyServe.Core.Tests.Traces;

/// <summary>
/// The real AWS traces in ../shared/traces beside the checkout. They are never copied into the repository, so a
/// checkout without them fails these tests with a message saying where they were looked for.
/// </summary>
internal static class SharedTraces
{
    public static readonly string[] FolderNames = ["AWS1", "AWS2", "AWS-2022-2zone"];

    private static readonly Dictionary<string, SpotTraceSet> Loaded = [];

    public static string Folder(string name) => Folder(name, RepoPaths.SharedTraces);

    /// <summary>The folder <paramref name="name"/> under <paramref name="root"/>, or an error saying where the traces belong.</summary>
    public static string Folder(string name, string root)
    {
        if (!Directory.Exists(root))
            throw new InvalidOperationException(
                $"The shared spot traces were not found at {root}: they live in ../shared/traces beside the checkout " +
                "(AWS1/, AWS2/, AWS-2022-2zone/; see traces/README.md there) and are never copied into the repository.");
        var folder = Path.Combine(root, name);
        if (!Directory.Exists(folder))
            throw new InvalidOperationException($"The shared trace folder {folder} is missing (expected {string.Join(", ", FolderNames)} under {root}).");
        return folder;
    }

    public static SpotTraceSet Load(string name)
    {
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(name, out var set))
                Loaded[name] = set = SpotTraceSet.LoadDirectory(Folder(name));
            return set;
        }
    }

    public static IEnumerable<SpotTrace> All() => FolderNames.SelectMany(f => Load(f).Traces);
}
