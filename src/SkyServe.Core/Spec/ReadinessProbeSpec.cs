namespace SkyServe.Core.Spec;

/// <summary>
/// How the controller decides a replica is READY (<c>service.readiness_probe</c>): an HTTP GET of
/// <see cref="Path"/>, or a POST of <see cref="PostData"/> when set; only HTTP 200 counts.
/// </summary>
public sealed record ReadinessProbeSpec
{
    public static ReadinessProbeSpec Default { get; } = new();

    /// <summary>Starts with <c>/</c>.</summary>
    public string Path { get; init; } = SpecDefaults.ReadinessPath;

    /// <summary>
    /// The POST body as compact JSON text, or null for a GET. Kept as text so the spec stays immutable;
    /// parse it with <c>JsonNode.Parse</c> when needed.
    /// </summary>
    public string? PostData { get; init; }

    /// <summary>Probe failures are ignored for this long after a replica starts.</summary>
    public int InitialDelaySeconds { get; init; } = SpecDefaults.InitialDelaySeconds;

    public int TimeoutSeconds { get; init; } = SpecDefaults.ReadinessTimeoutSeconds;

    public IReadOnlyDictionary<string, string> Headers { get; init; } = EmptyMaps.Strings;

    public string HttpMethod => PostData is null ? "GET" : "POST";
}
