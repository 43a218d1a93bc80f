using System.Text.Json.Nodes;
using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

public sealed class ReadinessProbeTests
{
    [Fact]
    public void String_form_is_the_GET_path_with_default_delays()
    {
        var probe = SpecAssert.Valid("service:\n  readiness_probe: /health\n  ports: 8080\n").Service.ReadinessProbe;
        Assert.Equal("/health", probe.Path);
        Assert.Equal(1200, probe.InitialDelaySeconds);
        Assert.Equal(15, probe.TimeoutSeconds);
        Assert.Equal("GET", probe.HttpMethod);
    }

    [Fact]
    public void Object_form_reads_every_key()
    {
        var probe = SpecAssert.Valid("""
            service:
              readiness_probe:
                path: /v1/chat/completions
                post_data: {model: llama, max_tokens: 1, stream: false, messages: [{role: user, content: hi}]}
                initial_delay_seconds: 600
                timeout_seconds: 30
                headers:
                  Authorization: Bearer $TOKEN
                  X-Probe: "1"
              ports: 8080
            """).Service.ReadinessProbe;
        Assert.Equal("/v1/chat/completions", probe.Path);
        Assert.Equal(600, probe.InitialDelaySeconds);
        Assert.Equal(30, probe.TimeoutSeconds);
        Assert.Equal("POST", probe.HttpMethod);
        var body = JsonNode.Parse(probe.PostData!)!;
        Assert.Equal("llama", (string?)body["model"]);
        Assert.Equal(1, (int?)body["max_tokens"]);
        Assert.False((bool?)body["stream"]);
        Assert.Equal("hi", (string?)body["messages"]![0]!["content"]);
        Assert.Equal("Bearer $TOKEN", probe.Headers["Authorization"]);
        Assert.Equal("1", probe.Headers["X-Probe"]);
    }

    [Fact]
    public void Post_data_may_be_a_string_of_JSON()
    {
        var probe = SpecAssert.Valid("""
            service:
              readiness_probe:
                path: /generate
                post_data: '{"prompt": "ping", "n": 1}'
              ports: 8080
            """).Service.ReadinessProbe;
        Assert.Equal("""{"prompt":"ping","n":1}""", probe.PostData);
    }

    [Fact]
    public void Post_data_that_is_not_JSON_is_an_error()
    {
        SpecAssert.HasError("""
            service:
              readiness_probe:
                path: /generate
                post_data: "{not json"
              ports: 8080
            """, "service.readiness_probe.post_data", 4, 16, "post_data is not valid JSON");
    }

    [Fact]
    public void Quoted_values_in_post_data_stay_strings()
    {
        var probe = SpecAssert.Valid("""
            service:
              readiness_probe:
                path: /
                post_data: {a: "1", b: 1, c: "true", d: ~}
              ports: 8080
            """).Service.ReadinessProbe;
        Assert.Equal("""{"a":"1","b":1,"c":"true","d":null}""", probe.PostData);
    }

    [Theory]
    [InlineData("service:\n  readiness_probe: health\n  ports: 8080\n", "service.readiness_probe", 2, 20)]
    [InlineData("service:\n  readiness_probe:\n    path: health\n  ports: 8080\n", "service.readiness_probe.path", 3, 11)]
    public void Path_must_start_with_a_slash(string yaml, string path, int line, int column)
    {
        SpecAssert.HasError(yaml, path, line, column, "must start with '/', got 'health'");
    }

    [Fact]
    public void Object_form_requires_path()
    {
        SpecAssert.HasError("""
            service:
              readiness_probe:
                timeout_seconds: 5
              ports: 8080
            """, "service.readiness_probe.path", 3, 5, "missing required key 'path'");
    }

    [Fact]
    public void Timeout_must_be_positive_and_delay_non_negative()
    {
        var errors = SpecAssert.Invalid("""
            service:
              readiness_probe:
                path: /
                timeout_seconds: 0
                initial_delay_seconds: -5
              ports: 8080
            """);
        Assert.Contains(errors, error => error is { Path: "service.readiness_probe.timeout_seconds", Line: 4, Column: 22 } && error.Message == "timeout_seconds must be between 1 and 3600, got 0");
        Assert.Contains(errors, error => error is { Path: "service.readiness_probe.initial_delay_seconds", Line: 5, Column: 28 } && error.Message == "initial_delay_seconds must be between 0 and 86400, got -5");
    }

    [Fact]
    public void Header_values_must_be_strings_and_names_tokens()
    {
        var errors = SpecAssert.Invalid("""
            service:
              readiness_probe:
                path: /
                headers:
                  "Bad Header": x
                  X-List: [a, b]
              ports: 8080
            """);
        Assert.Contains(errors, error => error is { Path: "service.readiness_probe.headers", Line: 5, Column: 7 } && error.Message.Contains("invalid name 'Bad Header'"));
        Assert.Contains(errors, error => error is { Path: "service.readiness_probe.headers.X-List", Line: 6, Column: 15 } && error.Message == "expected a string, got a list");
    }

    [Fact]
    public void Probe_of_the_wrong_type_is_an_error()
    {
        SpecAssert.HasError("service:\n  readiness_probe: [/a, /b]\n  ports: 8080\n",
            "service.readiness_probe", 2, 20, "expected a path such as /health or a mapping with path, got a list");
    }
}
