using SkyServe.Core.Spec;

namespace SkyServe.Core.Tests.Spec;

public sealed class ModelTests
{
    [Fact]
    public void Block_form_reads_every_key()
    {
        var spec = SpecAssert.Valid("service:\n  readiness_probe: /v1/models\nmodel:\n  path: /models/llama-3.2-1b\n  engine: cuda\n  max_batch_size: 64\n");
        Assert.Equal(new ModelSpec("/models/llama-3.2-1b") { Engine = ModelEngine.Cuda, MaxBatchSize = 64 }, spec.Model);
        Assert.True(spec.UsesBuiltInEngine);
    }

    [Fact]
    public void Short_form_is_just_the_path_with_defaults()
    {
        var spec = SpecAssert.Valid("service: {}\nmodel: meta-llama/Llama-3.2-1B-Instruct\n");
        Assert.Equal("meta-llama/Llama-3.2-1B-Instruct", spec.Model!.Path);
        Assert.Equal(ModelEngine.Cpu, spec.Model.Engine);
        Assert.Equal(32, spec.Model.MaxBatchSize);
    }

    [Fact]
    public void The_built_in_engine_serves_on_8080_unless_a_port_is_given()
    {
        Assert.Equal(8080, SpecAssert.Valid("service: {}\nmodel: /m\n").ReplicaPort);
        Assert.Equal(9000, SpecAssert.Valid("service: {}\nresources:\n  ports: 9000\nmodel: /m\n").ReplicaPort);
        Assert.Equal(7000, SpecAssert.Valid("service:\n  ports: 7000\nmodel: /m\n").ReplicaPort);
    }

    [Theory]
    [InlineData("model:\n  engine: cpu\n", "model.path", 3, 3, "missing required key 'path'")]
    [InlineData("model:\n  path: /m\n  engine: tpu\n", "model.engine", 4, 11, "unknown engine 'tpu' (allowed: cpu, cuda)")]
    [InlineData("model:\n  path: /m\n  max_batch_size: 0\n", "model.max_batch_size", 4, 19, "max_batch_size must be between 1 and 4096, got 0")]
    [InlineData("model: [a]\n", "model", 2, 8, "expected a model path or id, or a mapping")]
    [InlineData("model: /m\nrun: python serve.py\n", "model", 2, 8, "model (the built-in engine) and run (an external engine) cannot both be set")]
    public void Bad_model_blocks_are_errors(string lines, string path, int line, int column, string message)
    {
        SpecAssert.HasError("service: {}\n" + lines, path, line, column, message);
    }

    [Fact]
    public void A_SkyPilot_spec_without_model_means_the_same_as_in_SkyPilot()
    {
        var spec = SpecAssert.Valid("service:\n  replicas: 2\nresources:\n  ports: 8080\nrun: python -m http.server 8080\n");
        Assert.Null(spec.Model);
        Assert.False(spec.UsesBuiltInEngine);
        Assert.Equal(8080, spec.ReplicaPort);
    }
}
