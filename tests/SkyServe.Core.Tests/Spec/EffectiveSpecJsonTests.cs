using System.Text.Json.Nodes;
using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

public sealed class EffectiveSpecJsonTests
{
    [Fact]
    public void Every_key_is_present_with_its_default()
    {
        var json = EffectiveSpecJson.ToJsonObject(SpecAssert.Valid(SpecAssert.Minimal));
        Assert.Equal(["name", "service", "resources", "envs", "secrets", "workdir", "file_mounts", "num_nodes", "setup", "run", "model"], json.Select(property => property.Key));

        var service = json["service"]!.AsObject();
        Assert.Equal(["readiness_probe", "replica_policy", "load_balancing_policy", "ports", "tls"], service.Select(property => property.Key));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"path": "/", "post_data": null, "initial_delay_seconds": 1200, "timeout_seconds": 15, "headers": {}}
            """), service["readiness_probe"]));
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"min_replicas": 1, "max_replicas": 1, "target_qps_per_replica": null, "upscale_delay_seconds": 300,
             "downscale_delay_seconds": 1200, "num_overprovision": 0, "base_ondemand_fallback_replicas": 0,
             "dynamic_ondemand_fallback": false, "spot_placer": null}
            """), service["replica_policy"]));
        Assert.Equal("least_load", (string?)service["load_balancing_policy"]);
        Assert.Equal(8080, (int?)service["ports"]);
        Assert.Null(service["tls"]);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""
            {"accelerators": null, "use_spot": false, "any_of": [], "ports": [8080], "disk_size": 256, "disk_tier": null,
             "instance_type": null, "cpus": null, "memory": null, "image_id": null, "labels": {}}
            """), json["resources"]));
        Assert.Equal("{}", json["envs"]!.ToJsonString());
        Assert.Null(json["model"]);
    }

    [Fact]
    public void Values_are_written_under_SkyPilots_names()
    {
        var spec = SpecAssert.Valid("""
            name: svc
            service:
              readiness_probe: {path: /ready, post_data: {q: 1}, headers: {X-A: b}}
              replica_policy:
                min_replicas: 1
                max_replicas: 3
                target_qps_per_replica: {A100: 8, L4: 2}
                spot_placer: hedge_plus
                dynamic_ondemand_fallback: true
              load_balancing_policy: instance_aware_least_load
              tls: {keyfile: k, certfile: c}
              ports: 9002
            resources:
              accelerators: [A100, L4:2]
              use_spot: true
              infra: gcp/us-central1/us-central1-a
              ports: ['9000-9001', 9002]
            envs: {A: b}
            model: {path: /m, engine: cuda}
            """);
        var json = EffectiveSpecJson.ToJsonObject(spec);
        Assert.Equal("svc", (string?)json["name"]);
        Assert.Equal("""{"q":1}""", json["service"]!["readiness_probe"]!["post_data"]!.ToJsonString());
        Assert.Equal("b", (string?)json["service"]!["readiness_probe"]!["headers"]!["X-A"]);
        Assert.Equal("""{"A100":8,"L4":2}""", json["service"]!["replica_policy"]!["target_qps_per_replica"]!.ToJsonString());
        Assert.Equal("hedge_plus", (string?)json["service"]!["replica_policy"]!["spot_placer"]);
        Assert.Equal("instance_aware_least_load", (string?)json["service"]!["load_balancing_policy"]);
        Assert.Equal("""{"keyfile":"k","certfile":"c"}""", json["service"]!["tls"]!.ToJsonString());
        Assert.Equal("""["A100:1","L4:2"]""", json["resources"]!["accelerators"]!.ToJsonString());
        Assert.Equal("""[{"infra":"gcp/us-central1/us-central1-a"}]""", json["resources"]!["any_of"]!.ToJsonString());
        Assert.Null(json["resources"]!["ordered"]);
        Assert.Equal("""["9000-9001",9002]""", json["resources"]!["ports"]!.ToJsonString());
        Assert.Equal("""{"path":"/m","engine":"cuda","max_batch_size":32}""", json["model"]!.ToJsonString());
    }

    [Fact]
    public void Uniform_target_and_accelerator_map_are_written_as_numbers_and_a_map()
    {
        var spec = SpecAssert.Valid("""
            service:
              replica_policy: {min_replicas: 0, max_replicas: 2, target_qps_per_replica: 1.5}
            resources: {accelerators: {L4: 1, A10G: 2}, ports: 8080}
            """);
        var json = EffectiveSpecJson.ToJsonObject(spec);
        Assert.Equal(1.5, (double?)json["service"]!["replica_policy"]!["target_qps_per_replica"]);
        Assert.Equal("""{"L4":1,"A10G":2}""", json["resources"]!["accelerators"]!.ToJsonString());
    }

    [Fact]
    public void Write_indents_on_request_and_keeps_text_readable()
    {
        var spec = SpecAssert.Valid(SpecAssert.Minimal + "\nenvs: {GREETING: héllo <b>}\n");
        Assert.Contains("\n  \"service\": {", EffectiveSpecJson.Write(spec), StringComparison.Ordinal);
        var compact = EffectiveSpecJson.Write(spec, indented: false);
        Assert.DoesNotContain("\n", compact, StringComparison.Ordinal);
        Assert.Contains("\"GREETING\":\"héllo <b>\"", compact, StringComparison.Ordinal);
    }

    [Fact]
    public void Fixed_replicas_round_trip_as_min_equals_max()
    {
        var spec = SpecAssert.Valid("service:\n  replicas: 3\nresources:\n  ports: 8080\n");
        var again = SpecAssert.Valid(EffectiveSpecJson.Write(spec));
        Assert.Equal(3, again.Service.ReplicaPolicy.MinReplicas);
        Assert.Equal(3, again.Service.ReplicaPolicy.MaxReplicas);
        Assert.True(again.IsEquivalentTo(spec));
    }

    [Fact]
    public void Entries_with_their_own_keys_are_written_as_what_differs_from_the_top_level_and_read_back_the_same()
    {
        var spec = SpecAssert.Valid("""
            service:
              ports: 8080
            resources:
              cpus: 8+
              use_spot: true
              ordered:
                - {infra: gcp/*/us-central1-a, accelerators: A100}
                - {infra: aws, accelerators: {L4:2}, instance_type: g6.12xlarge}
                - {zone: eastus-1, cpus: 16}
            """);
        var json = EffectiveSpecJson.ToJsonObject(spec);
        Assert.Null(json["resources"]!["accelerators"]);
        Assert.Equal(
            """[{"infra":"gcp/us-central1/us-central1-a","accelerators":{"A100":1}},{"infra":"aws","accelerators":{"L4":2},"instance_type":"g6.12xlarge"},{"infra":"azure/eastus/eastus-1","cpus":"16"}]""",
            json["resources"]!["ordered"]!.ToJsonString());
        var again = SpecAssert.Valid(EffectiveSpecJson.Write(spec));
        Assert.True(spec.IsEquivalentTo(again));
        Assert.Equal(
            ["gcp/us-central1/us-central1-a A100:1 spot", "aws L4:2 instance_type=g6.12xlarge spot", "azure/eastus/eastus-1 CPU spot"],
            again.Resources.Candidates().Select(candidate => candidate.ToString()));
    }
}
