using System.Text.Json.Nodes;

namespace SkyServe.Core.Spec;

/// <summary>
/// A parsed and validated service spec (SkyPilot task YAML with a <c>service:</c> section), every default
/// applied. Immutable; produce one with <see cref="ServiceSpecParser"/>.
/// </summary>
public sealed record ServiceSpec
{
    /// <summary>The service name, when the spec gives one (the CLI or API may name it instead).</summary>
    public string? Name { get; init; }

    public ServiceSection Service { get; init; } = ServiceSection.Default;

    public ResourcesSpec Resources { get; init; } = ResourcesSpec.Default;

    public IReadOnlyDictionary<string, string> Envs { get; init; } = EmptyMaps.Strings;

    /// <summary>Like <see cref="Envs"/> in the replica's environment, but never shown: redacted wherever a spec is.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = EmptyMaps.Strings;

    /// <summary>The directory <c>setup</c> and <c>run</c> run in on every replica; null: none.</summary>
    public WorkdirSpec? Workdir { get; init; }

    public IReadOnlyList<FileMountSpec> FileMounts { get; init; } = [];

    /// <summary>Machines per replica (SkyPilot's <c>num_nodes</c>): launched together, the head (rank 0) serving.</summary>
    public int NumNodes { get; init; } = 1;

    /// <summary>Shell run once on a new machine before <see cref="Run"/>.</summary>
    public string? Setup { get; init; }

    /// <summary>The external engine's command (e.g. <c>vllm serve ...</c>); null with <see cref="Model"/>.</summary>
    public string? Run { get; init; }

    /// <summary>This project's built-in engine; null with <see cref="Run"/>.</summary>
    public ModelSpec? Model { get; init; }

    public bool UsesSpot => Resources.UseSpot;

    public bool UsesBuiltInEngine => Model is not null;

    /// <summary>
    /// The port replicas serve on and the load balancer talks to: <c>service.ports</c>, else the single port of
    /// <c>resources.ports</c>, else (built-in engine) <see cref="SpecDefaults.ModelServingPort"/>.
    /// </summary>
    public int ReplicaPort =>
        Service.Ports
        ?? (Resources.Ports.Count == 1 && Resources.Ports[0].IsSinglePort ? Resources.Ports[0].Start : SpecDefaults.ModelServingPort);

    /// <summary>
    /// True when this spec and <paramref name="other"/> describe the same replicas and may differ only in
    /// <c>service:</c> (probe, scaling, load balancing) and <c>name</c>: an update between them can relabel
    /// the running replicas instead of replacing them. Also true for identical specs. The replica port counts
    /// as part of the replica, and the order of <c>any_of</c> locations does not.
    /// </summary>
    public bool ServiceSectionOnlyDiffers(ServiceSpec other) =>
        JsonNode.DeepEquals(ReplicaDefinition(this), ReplicaDefinition(other));

    /// <summary>True when both specs mean the same thing (same effective values everywhere).</summary>
    public bool IsEquivalentTo(ServiceSpec other) =>
        JsonNode.DeepEquals(EffectiveSpecJson.ToJsonObject(this), EffectiveSpecJson.ToJsonObject(other));

    private static JsonObject ReplicaDefinition(ServiceSpec spec)
    {
        var json = EffectiveSpecJson.ToJsonObject(spec);
        json.Remove("name");
        json.Remove("service");
        json["replica_port"] = spec.ReplicaPort;
        if (json["resources"]?["any_of"] is JsonArray anyOf)
        {
            // any_of is a set: compare it in a fixed order.
            var sorted = anyOf.Select(item => item!.ToJsonString()).Order(StringComparer.Ordinal).Select(item => JsonNode.Parse(item)).ToArray();
            json["resources"]!["any_of"] = new JsonArray(sorted);
        }
        return json;
    }
}
