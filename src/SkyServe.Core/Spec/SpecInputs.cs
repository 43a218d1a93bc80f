namespace SkyServe.Core.Spec;

/// <summary>
/// Values given beside the spec at <c>up</c>/<c>update</c> time, as <c>sky serve up --env K=V --secret K=V --gpus L4:1</c>:
/// they override (or add to) the spec's <c>envs</c> and <c>secrets</c>, fill the keys the spec leaves null, and
/// override its resources. Stored with each version, so that the version reproduces from its text and these.
/// </summary>
public sealed record SpecInputs
{
    public static SpecInputs None { get; } = new();

    public IReadOnlyDictionary<string, string> Envs { get; init; } = EmptyMaps.Strings;

    public IReadOnlyDictionary<string, string> Secrets { get; init; } = EmptyMaps.Strings;

    public ResourceOverrides Resources { get; init; } = ResourceOverrides.None;

    public bool IsEmpty => Envs.Count == 0 && Secrets.Count == 0 && Resources.IsEmpty;
}

/// <summary>
/// <c>--infra</c>/<c>--cloud</c>/<c>--region</c>/<c>--zone</c>, <c>--gpus</c> and <c>--use-spot</c>: laid over every
/// candidate of the spec's resources (each any_of/ordered entry), as SkyPilot's <c>Task.set_resources_override</c>
/// copies each of its resources with them. Null: not given.
/// </summary>
public sealed record ResourceOverrides
{
    public static ResourceOverrides None { get; } = new();

    /// <summary><c>cloud[/region[/zone]]</c>, <c>*</c> for any part; replaces cloud, region and zone together.</summary>
    public string? Infra { get; init; }

    public string? Cloud { get; init; }

    public string? Region { get; init; }

    public string? Zone { get; init; }

    /// <summary>Any form <c>accelerators:</c> takes, as YAML text: <c>L4:1</c>, <c>{L4:1, A10G:1}</c>, <c>[L4, A10G:2]</c>.</summary>
    public string? Accelerators { get; init; }

    public bool? UseSpot { get; init; }

    public bool IsEmpty => Infra is null && Cloud is null && Region is null && Zone is null && Accelerators is null && UseSpot is null;
}
