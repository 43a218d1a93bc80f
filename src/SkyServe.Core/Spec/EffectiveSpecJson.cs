using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkyServe.Core.Spec;

/// <summary>
/// Writes a spec as JSON with every default applied, under SkyPilot's key names, e.g.
/// <c>{"name": ..., "service": {"readiness_probe": {"path": "/", "initial_delay_seconds": 1200, ...},
/// "replica_policy": {"min_replicas": 1, ...}, ...}, "resources": {...}, "envs": {...}, ...}</c>.
/// Every key is present (null when unset), so readers see one shape; the output parses back to an
/// equivalent spec (<c>replicas: N</c> comes back as a replica_policy with min = max = N).
/// </summary>
public static class EffectiveSpecJson
{
    /// <summary>How <see cref="Write"/> formats: indented, with non-ASCII text as is.</summary>
    public static readonly JsonSerializerOptions IndentedOptions = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Write(ServiceSpec spec, bool indented = true) => Write(ToJsonObject(spec), indented);

    /// <summary>An effective spec already turned into JSON (e.g. redacted), written as <see cref="Write(ServiceSpec, bool)"/> does.</summary>
    public static string Write(JsonNode json, bool indented = true) => json.ToJsonString(indented ? IndentedOptions : Compact);

    public static JsonObject ToJsonObject(ServiceSpec spec) => new()
    {
        ["name"] = spec.Name,
        ["service"] = Service(spec),
        ["resources"] = Resources(spec.Resources),
        ["envs"] = Strings(spec.Envs),
        ["secrets"] = Strings(spec.Secrets),
        ["workdir"] = Workdir(spec.Workdir),
        ["file_mounts"] = FileMounts(spec.FileMounts),
        ["num_nodes"] = spec.NumNodes,
        ["setup"] = spec.Setup,
        ["run"] = spec.Run,
        ["model"] = Model(spec.Model),
    };

    private static JsonObject Service(ServiceSpec spec)
    {
        var service = spec.Service;
        var probe = service.ReadinessProbe;
        var policy = service.ReplicaPolicy;
        return new JsonObject
        {
            ["readiness_probe"] = new JsonObject
            {
                ["path"] = probe.Path,
                ["post_data"] = probe.PostData is null ? null : JsonNode.Parse(probe.PostData),
                ["initial_delay_seconds"] = probe.InitialDelaySeconds,
                ["timeout_seconds"] = probe.TimeoutSeconds,
                ["headers"] = Strings(probe.Headers),
            },
            ["replica_policy"] = new JsonObject
            {
                ["min_replicas"] = policy.MinReplicas,
                ["max_replicas"] = policy.MaxReplicas,
                ["target_qps_per_replica"] = TargetQps(policy.TargetQpsPerReplica),
                ["upscale_delay_seconds"] = policy.UpscaleDelaySeconds,
                ["downscale_delay_seconds"] = policy.DownscaleDelaySeconds,
                ["num_overprovision"] = policy.NumOverprovision,
                ["base_ondemand_fallback_replicas"] = policy.BaseOndemandFallbackReplicas,
                ["dynamic_ondemand_fallback"] = policy.DynamicOndemandFallback,
                ["spot_placer"] = policy.SpotPlacer?.ToSpecName(),
            },
            ["load_balancing_policy"] = service.LoadBalancingPolicy.ToSpecName(),
            ["ports"] = spec.ReplicaPort,
            ["tls"] = service.Tls is null ? null : new JsonObject { ["keyfile"] = service.Tls.KeyFile, ["certfile"] = service.Tls.CertFile },
        };
    }

    private static JsonNode? TargetQps(TargetQps? target)
    {
        if (target?.PerAccelerator is { } perAccelerator)
        {
            var map = new JsonObject();
            foreach (var (accelerator, qps) in perAccelerator)
                map[accelerator] = qps;
            return map;
        }
        return target?.Uniform is { } uniform ? JsonValue.Create(uniform) : null;
    }

    private static JsonObject Resources(ResourcesSpec resources)
    {
        var sameAccelerators = resources.Entries.All(entry => SameAccelerators(entry, resources));
        return new JsonObject
        {
            ["accelerators"] = sameAccelerators ? Accelerators(resources) : null,
            ["use_spot"] = resources.UseSpot,
            [resources.LocationsOrdered ? "ordered" : "any_of"] = resources.Entries.Count > 0
                ? new JsonArray([.. resources.Entries.Select(entry => (JsonNode)Entry(entry, resources, !sameAccelerators))])
                : new JsonArray([.. resources.Locations.Select(location => (JsonNode)new JsonObject { ["infra"] = location.ToInfra() })]),
            ["ports"] = new JsonArray([.. resources.Ports.Select(range => range.IsSinglePort ? JsonValue.Create(range.Start) : (JsonNode)JsonValue.Create(range.ToString()))]),
            ["disk_size"] = resources.DiskSizeGb,
            ["disk_tier"] = resources.DiskTier,
            ["instance_type"] = resources.InstanceType,
            ["cpus"] = resources.Cpus,
            ["memory"] = resources.Memory,
            ["image_id"] = resources.ImageId,
            ["labels"] = Strings(resources.Labels),
        };
    }

    /// <summary>Identifies an any_of/ordered entry by everything it sets, to find one listed twice.</summary>
    internal static string ResourcesEntryKey(ResourcesSpec entry) => Entry(entry, ResourcesSpec.Default, withAccelerators: true).ToJsonString();

    private static bool SameAccelerators(ResourcesSpec entry, ResourcesSpec top) =>
        entry.AcceleratorsOrdered == top.AcceleratorsOrdered && entry.Accelerators.SequenceEqual(top.Accelerators);

    /// <summary>
    /// An any_of/ordered entry as the keys that differ from the top level (which it is laid over when read back):
    /// its location, and its accelerators when entries differ in them.
    /// </summary>
    private static JsonObject Entry(ResourcesSpec entry, ResourcesSpec top, bool withAccelerators)
    {
        var json = new JsonObject();
        if (entry.Locations.Count == 1)
            json["infra"] = entry.Locations[0].ToInfra();
        if (withAccelerators && entry.Accelerators.Count > 0)
            json["accelerators"] = Accelerators(entry);
        if (entry.UseSpot != top.UseSpot)
            json["use_spot"] = entry.UseSpot;
        if (entry.DiskSizeGb != top.DiskSizeGb)
            json["disk_size"] = entry.DiskSizeGb;
        AddIfDifferent(json, "disk_tier", entry.DiskTier, top.DiskTier);
        AddIfDifferent(json, "instance_type", entry.InstanceType, top.InstanceType);
        AddIfDifferent(json, "cpus", entry.Cpus, top.Cpus);
        AddIfDifferent(json, "memory", entry.Memory, top.Memory);
        AddIfDifferent(json, "image_id", entry.ImageId, top.ImageId);
        return json;
    }

    private static void AddIfDifferent(JsonObject json, string key, string? value, string? topValue)
    {
        if (!string.Equals(value, topValue, StringComparison.Ordinal))
            json[key] = value;
    }

    /// <summary>The map form for "any of these", the list form for a preference order; null when none.</summary>
    private static JsonNode? Accelerators(ResourcesSpec resources)
    {
        if (resources.Accelerators.Count == 0)
            return null;
        if (resources.AcceleratorsOrdered)
            return new JsonArray([.. resources.Accelerators.Select(candidate => (JsonNode)JsonValue.Create(candidate.ToString()))]);
        var map = new JsonObject();
        foreach (var candidate in resources.Accelerators)
            map[candidate.Name] = candidate.Count;
        return map;
    }

    private static JsonNode? Workdir(WorkdirSpec? workdir) => workdir switch
    {
        null => null,
        { IsGit: true } => new JsonObject { ["url"] = workdir.GitUrl, ["ref"] = workdir.GitRef },
        _ => JsonValue.Create(workdir.LocalPath),
    };

    /// <summary>A plain entry stays <c>target: source</c>; a storage entry keeps its mapping with every default.</summary>
    private static JsonObject FileMounts(IReadOnlyList<FileMountSpec> mounts)
    {
        var map = new JsonObject();
        foreach (var mount in mounts)
        {
            map[mount.Target] = mount.IsStorage
                ? new JsonObject
                {
                    ["name"] = mount.BucketName,
                    ["source"] = mount.Source,
                    ["store"] = mount.Store,
                    ["mode"] = mount.Mode.ToSpecName(),
                    ["persistent"] = mount.Persistent,
                }
                : JsonValue.Create(mount.Source);
        }
        return map;
    }

    private static JsonObject? Model(ModelSpec? model) => model is null ? null : new JsonObject
    {
        ["path"] = model.Path,
        ["engine"] = model.Engine.ToSpecName(),
        ["max_batch_size"] = model.MaxBatchSize,
    };

    private static JsonObject Strings(IReadOnlyDictionary<string, string> values)
    {
        var map = new JsonObject();
        foreach (var (key, value) in values)
            map[key] = value;
        return map;
    }
}
