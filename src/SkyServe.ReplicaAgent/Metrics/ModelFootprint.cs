using SkyServe.Inference.Model;

namespace SkyServe.ReplicaAgent.Metrics;

/// <summary>
/// How much a model weighs, from its config.json: what MBU and MFU are computed from.
/// <para>
/// <see cref="StreamedParameters"/> are the weights every forward step reads in full: all decoder layers (attention
/// and MLP projections with their biases, the norms), the final norm and the output projection (lm_head, which
/// is the embedding table when tied). The input embedding is only looked up row by row, so an untied one is
/// left out. Each streamed parameter costs one multiply-add per token: FLOPs ≈ 2 × streamed parameters ×
/// tokens (attention's own FLOPs, which grow with the context, are not counted).
/// </para>
/// </summary>
/// <param name="Parameters">All parameters, the input embedding included (and lm_head once when tied).</param>
/// <param name="StreamedWeightBytes">Weight bytes read per forward step, in the precision the engine holds them (the CPU
/// engine keeps bfloat16 matrices as bfloat16, float16 and float32 ones as float32, norms and biases as float32).</param>
/// <param name="KvBytesPerToken">Keys and values of one position over all layers.</param>
/// <param name="CheckpointBytes">The safetensors files' size: what loading reads.</param>
public sealed record ModelFootprint(long Parameters, long StreamedParameters, long StreamedWeightBytes, long KvBytesPerToken, long CheckpointBytes)
{
    /// <param name="streamedWeightBytes">From the loaded engine (<see cref="ICausalLanguageModel.StreamedWeightBytes"/>).</param>
    /// <param name="kvBytesPerValue">Bytes of one cached key or value (the CPU engine: float32).</param>
    public static ModelFootprint Of(ModelConfig c, string directory, long streamedWeightBytes, int kvBytesPerValue = sizeof(float))
    {
        long hidden = c.HiddenSize, q = c.QueryDim, kv = c.KeyValueDim, inter = c.IntermediateSize;
        var attention = hidden * q + 2 * hidden * kv + q * hidden
            + (c.QkvBias ? q + 2 * kv : 0) + (c.OutputProjectionBias ? hidden : 0);
        var mlp = 3 * hidden * inter + (c.MlpBias ? 2 * inter + hidden : 0);
        var layer = attention + mlp + 2 * hidden; // two RMSNorm weights
        var embedding = (long)c.VocabSize * hidden;
        var streamed = c.NumHiddenLayers * layer + hidden + embedding; // layers, final norm, lm_head
        var parameters = streamed + (c.TieWordEmbeddings ? 0 : embedding);
        var checkpoint = Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*.safetensors").Sum(f => new FileInfo(f).Length)
            : 0;
        return new ModelFootprint(parameters, streamed, streamedWeightBytes, c.NumHiddenLayers * 2L * kv * kvBytesPerValue, checkpoint);
    }
}
