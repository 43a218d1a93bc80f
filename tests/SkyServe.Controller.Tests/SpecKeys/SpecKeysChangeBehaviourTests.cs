using System.Text.Json.Nodes;
using SkyServe.Controller.Hosting;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Tests.SpecKeys;

/// <summary>
/// No accepted key is silently ignored (issue 17): the spec schema (config/service-spec.schema.json, which the parser
/// is checked against) is walked, and every key it accepts must have a case here of two valid specs that differ only in
/// that key and that the system treats differently (<see cref="SpecBehaviour"/>), or be listed with why it cannot.
/// </summary>
public sealed class SpecKeysChangeBehaviourTests : IAsyncLifetime
{
    private const string Probe = "service:\n  readiness_probe: /health\n  replicas: 2\n";
    private const string Run = "run: python3 -m http.server 8080\n";
    private const string Ports = "resources:\n  ports: 8080\n";
    private static readonly string Plain = Probe + Ports + Run;
    private const string Scaling = "service:\n  readiness_probe: /health\n  replica_policy:\n    min_replicas: 1\n    max_replicas: 10\n    target_qps_per_replica: 5\n";
    private const string SpotScaling = Scaling;
    private const string SpotResources = "resources:\n  ports: 8080\n  use_spot: true\n  accelerators: T4\n";

    /// <summary>Keys with no behaviour of their own, and why.</summary>
    private static readonly Dictionary<string, string> WithoutBehaviour = new()
    {
        ["_metadata"] = "SkyPilot's own bookkeeping (its version, a commit): read and ignored by SkyPilot too",
        ["file_mounts.*.persistent"] = "only true (keep the bucket) is accepted: buckets are never created or deleted here",
        ["file_mounts.*._force_delete"] = "only false is accepted: buckets are never deleted here",
        ["file_mounts.*._is_sky_managed"] = "only false is accepted: SkyPilot-created buckets are not managed here",
        ["file_mounts.*._bucket_sub_path"] = "refused whatever its value: put the path in the source URL",
    };

    /// <summary>Key path → two specs that differ only there.</summary>
    private static readonly Dictionary<string, (string Base, string Variant)> Cases = new()
    {
        ["name"] = ("name: alpha\n" + Plain, "name: beta\n" + Plain),
        ["service.readiness_probe.path"] = (Plain, Plain.Replace("/health", "/ready")),
        ["service.readiness_probe.post_data"] = (Mapping(""), Mapping("    post_data: {model: m}\n")),
        ["service.readiness_probe.initial_delay_seconds"] = (Mapping(""), Mapping("    initial_delay_seconds: 300\n")),
        ["service.readiness_probe.timeout_seconds"] = (Mapping("", "/slow"), Mapping("    timeout_seconds: 1\n", "/slow")),
        ["service.readiness_probe.headers"] = (Mapping(""), Mapping("    headers: {Authorization: Bearer x}\n")),
        ["service.replica_policy.min_replicas"] = (Scaling + Ports + Run, Scaling.Replace("min_replicas: 1", "min_replicas: 2") + Ports + Run),
        ["service.replica_policy.max_replicas"] = (Scaling + Ports + Run, Scaling.Replace("max_replicas: 10", "max_replicas: 4") + Ports + Run),
        ["service.replica_policy.target_qps_per_replica"] = (Scaling + Ports + Run, Scaling.Replace("target_qps_per_replica: 5", "target_qps_per_replica: 20") + Ports + Run),
        ["service.replica_policy.upscale_delay_seconds"] = (Scaling + Ports + Run, Scaling + "    upscale_delay_seconds: 60\n" + Ports + Run),
        ["service.replica_policy.downscale_delay_seconds"] = (Scaling + Ports + Run, Scaling + "    downscale_delay_seconds: 300\n" + Ports + Run),
        ["service.replica_policy.num_overprovision"] = (SpotScaling + SpotResources + Run, SpotScaling + "    num_overprovision: 2\n" + SpotResources + Run),
        ["service.replica_policy.base_ondemand_fallback_replicas"] =
            (SpotScaling + SpotResources + Run, SpotScaling + "    base_ondemand_fallback_replicas: 1\n" + SpotResources + Run),
        ["service.replica_policy.dynamic_ondemand_fallback"] =
            (SpotScaling + SpotResources + Run, SpotScaling + "    dynamic_ondemand_fallback: true\n" + SpotResources + Run),
        ["service.replica_policy.spot_placer"] = (SpotScaling + SpotResources + Run, SpotScaling + "    spot_placer: dynamic_fallback\n" + SpotResources + Run),
        ["service.replicas"] = (Plain, Plain.Replace("replicas: 2", "replicas: 3")),
        ["service.load_balancing_policy"] = (Plain, Probe + "  load_balancing_policy: round_robin\n" + Ports + Run),
        ["service.ports"] = (Plain, Probe + "  ports: 8081\n" + "resources:\n  ports: [8080, 8081]\n" + Run),
        ["service.tls.keyfile"] = (Tls("key.pem", "cert.pem"), Tls("other-key.pem", "cert.pem")),
        ["service.tls.certfile"] = (Tls("key.pem", "cert.pem"), Tls("key.pem", "other-cert.pem")),
        ["resources.infra"] = (Resources("infra: aws"), Resources("infra: gcp")),
        ["resources.cloud"] = (Resources("cloud: aws"), Resources("cloud: gcp")),
        ["resources.region"] = (Resources("cloud: aws\n  region: us-east-1"), Resources("cloud: aws\n  region: us-west-2")),
        ["resources.zone"] = (Resources("infra: aws/us-east-1/use1-az1"), Resources("infra: aws/us-east-1/use1-az2")),
        ["resources.accelerators"] = (Resources("accelerators: T4"), Resources("accelerators: L4")),
        ["resources.use_spot"] = (Resources("accelerators: T4"), Resources("accelerators: T4\n  use_spot: true")),
        ["resources.any_of"] = (Resources("any_of: [{infra: aws}]"), Resources("any_of: [{infra: aws}, {infra: gcp}]")),
        ["resources.ordered"] = (Resources("ordered: [{infra: aws}, {infra: gcp}]"), Resources("ordered: [{infra: gcp}, {infra: aws}]")),
        ["resources.ports"] = (Plain, Probe + "resources:\n  ports: 8081\n" + Run),
        ["resources.disk_size"] = (Resources("infra: aws"), Resources("infra: aws\n  disk_size: 512")),
        ["resources.disk_tier"] = (Resources("infra: aws"), Resources("infra: aws\n  disk_tier: high")),
        ["resources.instance_type"] = (Resources("instance_type: g4dn.xlarge"), Resources("instance_type: g4dn.12xlarge")),
        ["resources.cpus"] = (Resources("accelerators: T4:4\n  cpus: 16+"), Resources("accelerators: T4:4\n  cpus: 48+")),
        ["resources.memory"] = (Resources("accelerators: T4:4\n  memory: 32+"), Resources("accelerators: T4:4\n  memory: 64+")),
        ["resources.image_id"] = (Resources("infra: aws/us-east-1"), Resources("infra: aws/us-east-1\n  image_id: ami-0123456789abcdef0")),
        ["resources.labels"] = (Resources("infra: aws"), Resources("infra: aws\n  labels: {team: ml}")),
        ["envs"] = (Plain, Plain + "envs: {MODEL: llama}\n"),
        ["secrets"] = (Plain, Plain + "secrets: {HF_TOKEN: hf_x}\n"),
        ["setup"] = (Plain, Plain + "setup: pip install -r requirements.txt\n"),
        ["run"] = (Plain, Probe + Ports + "run: python3 server.py\n"),
        ["model.path"] = (Model("/models/a"), Model("/models/b")),
        ["model.engine"] = (Model("/models/a"), Model("/models/a", "    engine: cuda\n")),
        ["model.max_batch_size"] = (Model("/models/a"), Model("/models/a", "    max_batch_size: 8\n")),
        ["workdir"] = (Plain + "workdir: .\n", Plain + "workdir: ./app\n"),
        ["workdir.url"] = (Plain + "workdir: {url: https://example.com/a.git}\n", Plain + "workdir: {url: https://example.com/b.git}\n"),
        ["workdir.ref"] = (Plain + "workdir: {url: https://example.com/a.git}\n", Plain + "workdir: {url: https://example.com/a.git, ref: v1}\n"),
        ["file_mounts"] = (Plain + "file_mounts: {/data: s3://a}\n", Plain + "file_mounts: {/data: s3://b}\n"),
        ["file_mounts.*.name"] = (Plain + "file_mounts: {/data: {name: a}}\n", Plain + "file_mounts: {/data: {name: b}}\n"),
        ["file_mounts.*.source"] = (Plain + "file_mounts: {/data: {source: s3://a}}\n", Plain + "file_mounts: {/data: {source: ./local}}\n"),
        ["file_mounts.*.store"] = (Plain + "file_mounts: {/data: {name: a}}\n", Plain + "file_mounts: {/data: {name: a, store: gcs}}\n"),
        ["file_mounts.*.mode"] = (Plain + "file_mounts: {/data: {source: s3://a}}\n", Plain + "file_mounts: {/data: {source: s3://a, mode: COPY}}\n"),
        ["num_nodes"] = (Plain, Plain + "num_nodes: 2\n"),
        // The keys of an any_of (and ordered) entry, each inside an entry beside a second one that stays the same.
        ["resources.any_of[].infra"] = (Entry("infra: aws"), Entry("infra: azure")),
        ["resources.any_of[].cloud"] = (Entry("cloud: aws"), Entry("cloud: azure")),
        ["resources.any_of[].region"] = (Entry("cloud: aws, region: us-east-1"), Entry("cloud: aws, region: us-west-2")),
        ["resources.any_of[].zone"] = (Entry("infra: aws/us-east-1/use1-az1"), Entry("infra: aws/us-east-1/use1-az2")),
        ["resources.any_of[].accelerators"] = (Entry("infra: aws, accelerators: T4"), Entry("infra: aws, accelerators: L4")),
        ["resources.any_of[].use_spot"] = (Resources("use_spot: true\n  any_of: [{infra: aws, accelerators: T4}]"),
            Resources("use_spot: true\n  any_of: [{infra: aws, accelerators: T4, use_spot: false}]")),
        ["resources.any_of[].disk_size"] = (Entry("infra: aws"), Entry("infra: aws, disk_size: 512")),
        ["resources.any_of[].disk_tier"] = (Entry("infra: aws"), Entry("infra: aws, disk_tier: high")),
        ["resources.any_of[].instance_type"] = (Entry("infra: aws, instance_type: g4dn.xlarge"), Entry("infra: aws, instance_type: g4dn.12xlarge")),
        ["resources.any_of[].cpus"] = (Entry("accelerators: T4:4, cpus: 16+"), Entry("accelerators: T4:4, cpus: 48+")),
        ["resources.any_of[].memory"] = (Entry("accelerators: T4:4, memory: 32+"), Entry("accelerators: T4:4, memory: 64+")),
        ["resources.any_of[].image_id"] = (Entry("infra: aws/us-east-1"), Entry("infra: aws/us-east-1, image_id: ami-0123456789abcdef0")),
    };

    private ProbeCapture probes = null!;

    public async Task InitializeAsync() => probes = await ProbeCapture.StartAsync();

    public async Task DisposeAsync() => await probes.DisposeAsync();

    [Fact]
    public void Every_key_the_schema_accepts_has_a_case_or_a_reason()
    {
        var missing = SchemaKeys.Leaves(Path.Combine(ConfigLocator.Find(null), "service-spec.schema.json"))
            .Select(EntryKey)
            .Distinct()
            .Where(key => !Cases.ContainsKey(key) && !WithoutBehaviour.ContainsKey(key))
            .ToList();
        Assert.True(missing.Count == 0, $"keys without a behaviour case: {string.Join(", ", missing)}");
    }

    public static TheoryData<string> Keys() => [.. Cases.Keys.Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Keys))]
    public void Changing_the_key_changes_what_the_system_does(string key)
    {
        var (baseText, variantText) = Cases[key];
        var baseSpec = Parse(baseText, key);
        var variant = Parse(variantText, key);
        Assert.False(baseSpec.IsEquivalentTo(variant), $"{key}: the two specs of the case mean the same");
        var before = SpecBehaviour.Of(baseSpec, probes);
        var after = SpecBehaviour.Of(variant, probes);
        Assert.Null(before["placement_error"]); // a case must compare two placeable specs, not two refusals
        Assert.Null(after["placement_error"]);
        Assert.False(JsonNode.DeepEquals(before, after), $"{key}: accepted, but nothing the system does changes with it:\n{before.ToJsonString()}");
    }

    [Theory]
    [InlineData("persistent: false")]
    [InlineData("_force_delete: true")]
    [InlineData("_is_sky_managed: true")]
    [InlineData("_bucket_sub_path: a/b")]
    public void Bucket_lifecycle_keys_are_refused_where_they_would_ask_for_something_not_done(string entry)
    {
        var result = ServiceSpecParser.TryParse(Plain + $"file_mounts: {{/data: {{source: s3://a, {entry}}}}}\n");
        Assert.Null(result.Spec);
        Assert.Contains(result.Errors, error => error.Path.StartsWith("file_mounts", StringComparison.Ordinal) && error.Message.Contains(entry.Split(':')[0]));
    }

    /// <summary>An entry key of any_of and ordered is tested through any_of's entries; the case names it once.</summary>
    private static string EntryKey(string path) => path.Replace("resources.ordered[].", "resources.any_of[].");

    private static ServiceSpec Parse(string text, string key)
    {
        var result = ServiceSpecParser.TryParse(text, new SpecInputs());
        return result.Spec ?? throw new Xunit.Sdk.XunitException($"{key}: the case's spec is refused: {string.Join("; ", result.Errors)}\n{text}");
    }

    private static string Mapping(string extra, string path = "/health") =>
        $"service:\n  readiness_probe:\n    path: {path}\n{extra}  replicas: 2\n" + Ports + Run;

    private static string Tls(string key, string cert) => Probe + $"  tls: {{keyfile: {key}, certfile: {cert}}}\n" + Ports + Run;

    private static string Resources(string body) => Probe + $"resources:\n  ports: 8080\n  {body}\n" + Run;

    private static string Entry(string entry) => Resources($"any_of: [{{{entry}}}, {{infra: gcp, accelerators: L4}}]");

    private static string Model(string path, string extra = "") => $"service:\n  readiness_probe: /v1/models\n  replicas: 1\nmodel:\n    path: {path}\n{extra}";
}
