using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

public sealed class JsonInputTests
{
    [Fact]
    public void A_JSON_spec_parses_like_its_YAML_twin()
    {
        var json = SpecAssert.Valid("""
            {
              "name": "json-spec",
              "service": {
                "readiness_probe": {"path": "/v1/models", "post_data": {"model": "m", "max_tokens": 1}},
                "replica_policy": {"min_replicas": 1, "max_replicas": 3, "target_qps_per_replica": 2.5},
                "load_balancing_policy": "round_robin"
              },
              "resources": {"accelerators": {"L4": 1}, "use_spot": false, "ports": [8080], "any_of": [{"infra": "aws/us-east-1"}]},
              "envs": {"A": "1"},
              "run": "serve --port 8080"
            }
            """);
        var yaml = SpecAssert.Valid("""
            name: json-spec
            service:
              readiness_probe:
                path: /v1/models
                post_data: {model: m, max_tokens: 1}
              replica_policy: {min_replicas: 1, max_replicas: 3, target_qps_per_replica: 2.5}
              load_balancing_policy: round_robin
            resources:
              accelerators: L4:1
              ports: 8080
              infra: aws/us-east-1
            envs: {A: "1"}
            run: serve --port 8080
            """);
        Assert.True(json.IsEquivalentTo(yaml), EffectiveSpecJson.Write(json) + "\n---\n" + EffectiveSpecJson.Write(yaml));
    }

    [Fact]
    public void Compact_and_tab_indented_JSON_parse()
    {
        Assert.Equal(2, SpecAssert.Valid("""{"service":{"replicas":2,"ports":8080}}""").Service.ReplicaPolicy.MinReplicas);
        Assert.Equal(3, SpecAssert.Valid("{\n\t\"service\": {\n\t\t\"replicas\": 3,\n\t\t\"ports\": 8080\n\t}\n}").Service.ReplicaPolicy.MinReplicas);
    }

    [Fact]
    public void JSON_errors_carry_line_and_column()
    {
        SpecAssert.HasError("{\n  \"service\": {\n    \"replicas\": \"two\",\n    \"ports\": 8080\n  }\n}",
            "service.replicas", 3, 17, "expected an integer, got 'two'");
        SpecAssert.HasError("{\"service\": {\"ports\": 8080}, \"bogus\": true}", "bogus", 1, 30, "unknown key 'bogus'");
    }

    [Fact]
    public void A_JSON_null_env_value_is_the_same_error_as_in_YAML()
    {
        SpecAssert.OnlyError("{\"service\": {\"ports\": 8080}, \"envs\": {\"TOKEN\": null}}", "envs.TOKEN", "--env TOKEN=value");
    }

    [Fact]
    public void Malformed_JSON_is_a_syntax_error()
    {
        var error = Assert.Single(SpecAssert.Invalid("{\"service\": {\"ports\": 8080}"));
        Assert.Contains("YAML syntax error", error.Message, StringComparison.Ordinal);
        Assert.Equal("", error.Path);
    }
}
