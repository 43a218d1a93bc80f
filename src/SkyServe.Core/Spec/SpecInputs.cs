namespace SkyServe.Core.Spec;

/// <summary>
/// Values given beside the spec at <c>up</c>/<c>update</c> time, as <c>sky serve up --env K=V --secret K=V</c>:
/// they override (or add to) the spec's <c>envs</c> and <c>secrets</c>, and fill the keys the spec leaves null.
/// </summary>
public sealed record SpecInputs
{
    public static SpecInputs None { get; } = new();

    public IReadOnlyDictionary<string, string> Envs { get; init; } = EmptyMaps.Strings;

    public IReadOnlyDictionary<string, string> Secrets { get; init; } = EmptyMaps.Strings;
}
