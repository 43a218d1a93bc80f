using SkyServe.Inference.Model;
using SkyServe.Testing;

namespace SkyServe.Inference.Tests.Model;

public sealed class ModelConfigTests
{
    private const string LlamaBase = """
        "model_type": "llama", "hidden_size": 64, "intermediate_size": 160, "num_hidden_layers": 2,
        "num_attention_heads": 4, "vocab_size": 400
        """;

    private static readonly RopeParameters Llama3Rope = new(500000.0, RopeType.Llama3, 8.0, 1.0, 4.0, 32);

    [Fact]
    public void Reads_the_transformers_5_fixture_config()
    {
        var config = ModelConfig.Load(Path.Combine(RepoPaths.Root, "tests", "fixtures", "tiny-llama", "config.json"));

        Assert.Equal("llama", config.ModelType);
        Assert.Equal((64, 160, 2, 4, 2, 16), (config.HiddenSize, config.IntermediateSize, config.NumHiddenLayers,
            config.NumAttentionHeads, config.NumKeyValueHeads, config.HeadDim));
        Assert.Equal(2, config.QueryHeadsPerKeyValueHead);
        Assert.Equal(1e-5, config.RmsNormEps);
        Assert.Equal((400, 256), (config.VocabSize, config.MaxPositionEmbeddings));
        Assert.Equal(Llama3Rope, config.Rope);
        Assert.False(config.TieWordEmbeddings);
        Assert.False(config.QkvBias);
        Assert.Equal(0, config.BosTokenId);
        Assert.Equal([4], config.EosTokenIds);
    }

    [Theory]
    [InlineData("rope_type")]
    [InlineData("type")]
    public void Reads_the_transformers_4_rope_theta_and_rope_scaling(string typeKey)
    {
        var config = ModelConfig.Parse($$"""
            { {{LlamaBase}}, "rope_theta": 500000.0,
              "rope_scaling": {"{{typeKey}}": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                               "original_max_position_embeddings": 32} }
            """);

        Assert.Equal(Llama3Rope, config.Rope);
    }

    [Fact]
    public void Leaves_out_keys_take_transformers_defaults()
    {
        var config = ModelConfig.Parse($$"""{ {{LlamaBase}}, "rope_scaling": null, "eos_token_id": [7, 9] }""");

        Assert.Equal(4, config.NumKeyValueHeads);
        Assert.Equal(16, config.HeadDim);
        Assert.Equal(new RopeParameters(10000.0), config.Rope);
        Assert.Equal(1e-6, config.RmsNormEps);
        Assert.Null(config.BosTokenId);
        Assert.Equal([7, 9], config.EosTokenIds);
        Assert.False(config.QkvBias || config.OutputProjectionBias || config.MlpBias);
        Assert.Null(config.SlidingWindow);
    }

    [Fact]
    public void Qwen2_has_qkv_biases_but_no_output_bias()
    {
        var config = ModelConfig.Load(Path.Combine(RepoPaths.Root, "tests", "fixtures", "tiny-qwen2", "config.json"));

        Assert.True(config.QkvBias);
        Assert.False(config.OutputProjectionBias);
        Assert.True(config.TieWordEmbeddings);
        Assert.Equal(new RopeParameters(10000.0), config.Rope);
        Assert.Null(config.SlidingWindow);
    }

    [Fact]
    public void Llama_attention_bias_covers_every_attention_projection()
    {
        var config = ModelConfig.Parse($$"""{ {{LlamaBase}}, "attention_bias": true, "mlp_bias": true }""");

        Assert.True(config.QkvBias && config.OutputProjectionBias && config.MlpBias);
    }

    [Fact]
    public void Mistral_keeps_its_sliding_window()
    {
        var config = ModelConfig.Parse("""
            { "model_type": "mistral", "hidden_size": 64, "intermediate_size": 160, "num_hidden_layers": 2,
              "num_attention_heads": 4, "num_key_value_heads": 1, "head_dim": 32, "vocab_size": 400, "sliding_window": 4096 }
            """);

        Assert.Equal(4096, config.SlidingWindow);
        Assert.Equal(32, config.HeadDim);
        Assert.Equal(128, config.QueryDim);
    }

    [Theory]
    [InlineData("\"model_type\": \"gpt2\"", "model_type 'gpt2'")]
    [InlineData("\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0}", "rope_type 'yarn'")]
    [InlineData("\"rope_parameters\": {\"rope_type\": \"llama3\", \"factor\": 8.0}", "low_freq_factor")]
    [InlineData("\"num_key_value_heads\": 3", "not a multiple")]
    [InlineData("\"hidden_act\": \"gelu\"", "hidden_act 'gelu'")]
    public void Unsupported_or_inconsistent_settings_are_refused(string setting, string expectedMessage)
    {
        // A later duplicate key wins in System.Text.Json's document model, so the setting overrides the base.
        var error = Assert.Throws<CheckpointException>(() => ModelConfig.Parse($$"""{ {{LlamaBase}}, {{setting}} }"""));
        Assert.Contains(expectedMessage, error.Message);
    }

    [Fact]
    public void A_missing_required_setting_is_named()
    {
        var error = Assert.Throws<CheckpointException>(() => ModelConfig.Parse("""{"model_type": "llama", "hidden_size": 64}"""));
        Assert.Contains("num_attention_heads", error.Message);
    }
}
