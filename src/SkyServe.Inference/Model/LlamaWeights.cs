namespace SkyServe.Inference.Model;

/// <summary>
/// All weights of a Llama-architecture decoder under transformers' tensor names: matrices as the checkpoint holds them
/// (bfloat16 or float32, see <see cref="WeightMatrix"/>), norms and biases as float32.
/// </summary>
public sealed record LlamaWeights(
    WeightMatrix Embeddings,
    IReadOnlyList<DecoderLayerWeights> Layers,
    float[] FinalNorm,
    LinearLayer LanguageModelHead)
{
    /// <summary>
    /// Bytes every forward step reads, as held in memory: the blocks, the final norm and the output projection. The
    /// input embedding is looked up row by row, so an untied one is not counted.
    /// </summary>
    public long StreamedBytes => Layers.Sum(layer => layer.Bytes) + FinalNorm.Length * (long)sizeof(float) + LanguageModelHead.Bytes;

    public static LlamaWeights Load(ICheckpointTensors checkpoint, ModelConfig config)
    {
        var hidden = config.HiddenSize;
        var embeddings = checkpoint.ReadMatrix("model.embed_tokens.weight", config.VocabSize, hidden);
        var layers = new DecoderLayerWeights[config.NumHiddenLayers];
        for (var i = 0; i < layers.Length; i++)
            layers[i] = LoadLayer(checkpoint, config, $"model.layers.{i}.");
        var finalNorm = checkpoint.ReadFloat32("model.norm.weight", hidden);

        // Tied models reuse the embedding matrix as the output projection: same matrix, no copy.
        var head = new LinearLayer(config.TieWordEmbeddings ? embeddings : checkpoint.ReadMatrix("lm_head.weight", config.VocabSize, hidden), null);
        return new LlamaWeights(embeddings, layers, finalNorm, head);
    }

    private static DecoderLayerWeights LoadLayer(ICheckpointTensors checkpoint, ModelConfig config, string prefix)
    {
        var hidden = config.HiddenSize;
        return new DecoderLayerWeights(
            InputNorm: checkpoint.ReadFloat32(prefix + "input_layernorm.weight", hidden),
            QueryProjection: Linear(checkpoint, prefix + "self_attn.q_proj", config.QueryDim, hidden, config.QkvBias),
            KeyProjection: Linear(checkpoint, prefix + "self_attn.k_proj", config.KeyValueDim, hidden, config.QkvBias),
            ValueProjection: Linear(checkpoint, prefix + "self_attn.v_proj", config.KeyValueDim, hidden, config.QkvBias),
            OutputProjection: Linear(checkpoint, prefix + "self_attn.o_proj", hidden, config.QueryDim, config.OutputProjectionBias),
            PostAttentionNorm: checkpoint.ReadFloat32(prefix + "post_attention_layernorm.weight", hidden),
            GateProjection: Linear(checkpoint, prefix + "mlp.gate_proj", config.IntermediateSize, hidden, config.MlpBias),
            UpProjection: Linear(checkpoint, prefix + "mlp.up_proj", config.IntermediateSize, hidden, config.MlpBias),
            DownProjection: Linear(checkpoint, prefix + "mlp.down_proj", hidden, config.IntermediateSize, config.MlpBias));
    }

    private static LinearLayer Linear(ICheckpointTensors checkpoint, string name, int outFeatures, int inFeatures, bool hasBias) =>
        new(checkpoint.ReadMatrix(name + ".weight", outFeatures, inFeatures), hasBias ? checkpoint.ReadFloat32(name + ".bias", outFeatures) : null);
}
