using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

public sealed class TopLevelTests
{
    [Fact]
    public void Reads_name_envs_setup_and_run()
    {
        var spec = SpecAssert.Valid("""
            name: llama-chat
            service:
              readiness_probe: /v1/models
            resources:
              ports: 8080
            envs:
              MODEL: meta-llama/Llama-3.2-1B
              MAX_LEN: 4096
              DEBUG: true
              EMPTY: ""
            setup: |
              pip install vllm
            run: |
              vllm serve $MODEL --port 8080
            """);
        Assert.Equal("llama-chat", spec.Name);
        Assert.Equal("meta-llama/Llama-3.2-1B", spec.Envs["MODEL"]);
        Assert.Equal("4096", spec.Envs["MAX_LEN"]);
        Assert.Equal("true", spec.Envs["DEBUG"]);
        Assert.Equal("", spec.Envs["EMPTY"]);
        Assert.Equal("pip install vllm\n", spec.Setup);
        Assert.Equal("vllm serve $MODEL --port 8080", spec.Run); // the last line of the text has no newline
    }

    [Fact]
    public void A_null_env_var_asks_for_env_on_the_command_line()
    {
        var error = SpecAssert.OnlyError(SpecAssert.Minimal + "\nenvs:\n  HF_TOKEN:\n", "envs.HF_TOKEN",
            "environment variable 'HF_TOKEN' has no value: pass it with --env HF_TOKEN=value");
        Assert.Equal((6, 3), (error.Line, error.Column));
    }

    [Fact]
    public void Env_names_must_be_valid_shell_names()
    {
        SpecAssert.HasError(SpecAssert.Minimal + "\nenvs:\n  1BAD: x\n", "envs", 6, 3, "invalid name '1BAD'");
    }

    [Fact]
    public void A_service_section_is_required()
    {
        var error = SpecAssert.OnlyError("name: x\nrun: echo\n", "service", "a service: section is required");
        Assert.Equal((1, 1), (error.Line, error.Column));
    }

    [Fact]
    public void The_service_section_must_be_a_mapping()
    {
        SpecAssert.HasError("service:\nresources:\n  ports: 8080\n", "service", 1, 1, "expected the service: section to be a mapping, got null");
        SpecAssert.HasError("service: yes\n", "service", 1, 10, "expected the service: section to be a mapping, got 'yes'");
    }

    [Theory]
    [InlineData("name: 1st")]
    [InlineData("name: my service")]
    [InlineData("name: trailing-")]
    public void Names_follow_SkyPilots_rule(string line)
    {
        SpecAssert.HasError(line + "\n" + SpecAssert.Minimal, "name", 1, 7, "invalid name");
    }

    [Fact]
    public void Unknown_top_level_keys_list_the_allowed_ones()
    {
        var error = SpecAssert.OnlyError(SpecAssert.Minimal + "\nfoo: 1\n", "foo",
            "unknown key 'foo' (allowed: name, service, resources, envs, secrets, setup, run, model, workdir, file_mounts, num_nodes, _metadata)");
        Assert.Equal((5, 1), (error.Line, error.Column));
    }

    [Fact]
    public void Misspelt_keys_get_a_suggestion()
    {
        SpecAssert.HasError("service:\n  replica_policy:\n    min_replica: 1\nresources:\n  ports: 8080\n",
            "service.replica_policy.min_replica", 3, 5, "unknown key 'min_replica', did you mean 'min_replicas'? (allowed: min_replicas,");
    }

    [Fact]
    public void Several_nodes_need_a_run_command_not_the_built_in_engine()
    {
        SpecAssert.HasError("service:\n  readiness_probe: /v1/models\n  replicas: 1\nmodel: /models/tiny\nnum_nodes: 2\n",
            "num_nodes", 5, 12, "needs a run: command that spans the nodes");
        Assert.Equal(2, SpecAssert.Valid(SpecAssert.Minimal + "\nnum_nodes: 2\n").NumNodes);
    }

    [Fact]
    public void Known_SkyPilot_keys_that_are_not_supported_say_so()
    {
        SpecAssert.HasError(SpecAssert.Minimal + "\nvolumes: {/data: vol}\n", "volumes", 5, 1, "unsupported key 'volumes'");
        SpecAssert.HasError("service:\n  pool: {workers: 2}\n  ports: 8080\n", "service.pool", 2, 3, "unsupported key 'pool'");
    }

    [Fact]
    public void Unknown_nested_keys_are_rejected_everywhere()
    {
        var errors = SpecAssert.Invalid("""
            service:
              readiness_probe:
                path: /
                method: GET
              replica_policy:
                min_replicas: 1
                burst: 3
              tls: {keyfile: k.pem, certfile: c.pem, ca: x}
            resources:
              ports: 8080
              gpu: A100
            model:
              path: /m
              quantization: int8
            """);
        Assert.Equal(
            [
                ("service.readiness_probe.method", 4, 5),
                ("service.replica_policy.burst", 7, 5),
                ("service.tls.ca", 8, 42),
                ("resources.gpu", 11, 3),
                ("model.quantization", 14, 3),
            ],
            errors.Select(error => (error.Path, error.Line, error.Column)));
        Assert.All(errors, error => Assert.StartsWith("unknown key '", error.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Tls_needs_both_files()
    {
        var tls = SpecAssert.Valid("service:\n  tls: {keyfile: /etc/k.pem, certfile: /etc/c.pem}\n  ports: 8443\n").Service.Tls;
        Assert.Equal(new TlsSpec("/etc/k.pem", "/etc/c.pem"), tls);
        SpecAssert.HasError("service:\n  tls:\n    keyfile: k.pem\n  ports: 8443\n", "service.tls.certfile", 3, 5, "missing required key 'certfile'");
    }

    [Fact]
    public void Service_ports_is_the_replica_port()
    {
        var spec = SpecAssert.Valid("service:\n  ports: 9000\nresources:\n  ports: [9000, 9100]\n");
        Assert.Equal(9000, spec.Service.Ports);
        Assert.Equal(9000, spec.ReplicaPort);
        SpecAssert.HasError("service:\n  ports: 0\n", "service.ports", 2, 10, "ports must be between 1 and 65535, got 0");
    }

    [Fact]
    public void Single_resources_port_is_the_replica_port()
    {
        Assert.Equal(8000, SpecAssert.Valid("service: {}\nresources:\n  ports: 8000\n").ReplicaPort);
    }

    [Fact]
    public void A_run_spec_needs_a_replica_port()
    {
        SpecAssert.HasError("service:\n  readiness_probe: /\nrun: python serve.py\n", "service", 2, 3, "the load balancer needs the replicas' port");
        SpecAssert.HasError("service: {}\nresources:\n  ports: [8000, 8001]\n", "resources.ports", 3, 10, "set service.ports to the one replicas serve on");
        SpecAssert.HasError("service: {}\nresources:\n  ports: '8000-8010'\n", "resources.ports", 3, 10, "opens several ports");
    }
}
