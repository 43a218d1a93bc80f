namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// The keys one mapping of the spec accepts, and SkyPilot keys that are known but deliberately not supported
/// here (with why), so that a SkyPilot user gets a better answer than "unknown key".
/// </summary>
internal sealed record SpecKeys(IReadOnlyList<string> Allowed, IReadOnlyDictionary<string, string>? Unsupported = null)
{
    public bool Allows(string key) => Allowed.Contains(key, StringComparer.Ordinal);

    public string? UnsupportedReason(string key) =>
        Unsupported is not null && Unsupported.TryGetValue(key, out var reason) ? reason : null;

    public string AllowedList => string.Join(", ", Allowed);
}
