using System.Text.Json.Nodes;
using SkyServe.Core.Spec;
using SkyServe.Core.Spec.Parsing;

namespace SkyServe.Core.Tests.Spec;

/// <summary>config/service-spec.schema.json must describe exactly the keys and names the parser accepts.</summary>
public sealed class SchemaTests
{
    private static readonly JsonObject Schema =
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "config", "service-spec.schema.json")))!.AsObject();

    private static JsonNode Defs(string name) => Schema["$defs"]![name]!;

    [Fact]
    public void Is_draft_2020_12_and_requires_a_service()
    {
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)Schema["$schema"]);
        Assert.Equal(["service"], Schema["required"]!.AsArray().Select(node => (string?)node));
        Assert.False((bool?)Schema["additionalProperties"]);
    }

    [Fact]
    public void Key_sets_match_the_parser()
    {
        AssertKeys(ServiceSpecReader.Keys, Schema);
        AssertKeys(ServiceSectionReader.Keys, Defs("service"));
        AssertKeys(ReadinessProbeReader.Keys, Defs("service")["properties"]!["readiness_probe"]!["anyOf"]![2]!);
        AssertKeys(ServiceSectionReader.TlsKeys, Defs("service")["properties"]!["tls"]!);
        AssertKeys(ReplicaPolicyReader.Keys, Defs("replica_policy"));
        AssertKeys(ResourcesReader.Keys, Defs("resources"));
        AssertKeys(ResourcesReader.LocationItemKeys, Defs("location"));
        AssertKeys(ModelReader.Keys, Defs("model")["anyOf"]![2]!);
    }

    [Fact]
    public void Names_match_the_parser()
    {
        Assert.Equal(LoadBalancingPolicyNames.All, Enum(Defs("service")["properties"]!["load_balancing_policy"]!));
        Assert.Equal(SpotPlacerNames.All, Enum(Defs("replica_policy")["properties"]!["spot_placer"]!));
        Assert.Equal(ModelEngineNames.All, Enum(Defs("model")["anyOf"]![2]!["properties"]!["engine"]!));
    }

    [Fact]
    public void Defaults_match_the_parser()
    {
        var policy = Defs("replica_policy")["properties"]!;
        Assert.Equal(SpecDefaults.UpscaleDelaySeconds, (int?)policy["upscale_delay_seconds"]!["default"]);
        Assert.Equal(SpecDefaults.DownscaleDelaySeconds, (int?)policy["downscale_delay_seconds"]!["default"]);
        Assert.Equal(SpecDefaults.NumOverprovision, (int?)policy["num_overprovision"]!["default"]);
        var probe = Defs("service")["properties"]!["readiness_probe"]!["anyOf"]![2]!["properties"]!;
        Assert.Equal(SpecDefaults.InitialDelaySeconds, (int?)probe["initial_delay_seconds"]!["default"]);
        Assert.Equal(SpecDefaults.ReadinessTimeoutSeconds, (int?)probe["timeout_seconds"]!["default"]);
        Assert.Equal(SpecDefaults.DiskSizeGb, (int?)Defs("resources")["properties"]!["disk_size"]!["default"]);
        Assert.Equal(SpecDefaults.ModelMaxBatchSize, (int?)Defs("model")["anyOf"]![2]!["properties"]!["max_batch_size"]!["default"]);
    }

    [Fact]
    public void Bounds_match_the_parser()
    {
        var service = Defs("service")["properties"]!;
        Assert.Equal(SpecLimits.MaxReplicas, (int?)service["replicas"]!["maximum"]);
        Assert.Equal(SpecLimits.MinPort, (int?)service["ports"]!["minimum"]);
        Assert.Equal(SpecLimits.MaxPort, (int?)service["ports"]!["maximum"]);
        var probe = service["readiness_probe"]!["anyOf"]![2]!["properties"]!;
        Assert.Equal(SpecLimits.MaxInitialDelaySeconds, (int?)probe["initial_delay_seconds"]!["maximum"]);
        Assert.Equal(SpecLimits.MaxReadinessTimeoutSeconds, (int?)probe["timeout_seconds"]!["maximum"]);
        var policy = Defs("replica_policy")["properties"]!;
        Assert.Equal(SpecLimits.MaxReplicas, (int?)policy["min_replicas"]!["maximum"]);
        Assert.Equal(SpecLimits.MaxReplicas, (int?)policy["max_replicas"]!["maximum"]);
        Assert.Equal(SpecLimits.MaxReplicas, (int?)policy["base_ondemand_fallback_replicas"]!["maximum"]);
        Assert.Equal(SpecLimits.MaxOverprovision, (int?)policy["num_overprovision"]!["maximum"]);
        Assert.Equal(SpecLimits.MaxScaleDelaySeconds, (int?)policy["upscale_delay_seconds"]!["maximum"]);
        Assert.Equal(SpecLimits.MaxScaleDelaySeconds, (int?)policy["downscale_delay_seconds"]!["maximum"]);
        var qps = policy["target_qps_per_replica"]!["anyOf"]!;
        foreach (var number in new[] { qps[0]!, qps[2]!["additionalProperties"]! })
        {
            Assert.Equal(SpecLimits.MinTargetQpsPerReplica, (double?)number["minimum"]);
            Assert.Equal(SpecLimits.MaxTargetQpsPerReplica, (double?)number["maximum"]);
        }
        Assert.Equal(SpecLimits.MaxModelBatchSize, (int?)Defs("model")["anyOf"]![2]!["properties"]!["max_batch_size"]!["maximum"]);
    }

    private static void AssertKeys(SpecKeys keys, JsonNode schemaObject)
    {
        var properties = schemaObject["properties"]!.AsObject().Select(property => property.Key).Order(StringComparer.Ordinal);
        Assert.Equal(keys.Allowed.Order(StringComparer.Ordinal), properties);
        Assert.False((bool?)schemaObject["additionalProperties"]);
    }

    private static IEnumerable<string> Enum(JsonNode property) =>
        property["enum"]!.AsArray().Where(node => node is not null).Select(node => (string)node!);
}
