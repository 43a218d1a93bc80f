using System.Collections.ObjectModel;

namespace SkyServe.Core.Spec;

/// <summary>Shared empty read-only collections, so defaults never allocate and can never be mutated.</summary>
internal static class EmptyMaps
{
    public static IReadOnlyDictionary<string, string> Strings { get; } =
        new ReadOnlyDictionary<string, string>(new Dictionary<string, string>());
}
