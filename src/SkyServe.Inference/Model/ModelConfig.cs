namespace SkyServe.Inference.Model;

/// <summary>The settings of a Llama-architecture decoder (llama, mistral, qwen2) from its config.json.</summary>
public sealed record ModelConfig
{
    public required string ModelType { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumHiddenLayers { get; init; }
    public required int NumAttentionHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public required int HeadDim { get; init; }
    public required double RmsNormEps { get; init; }
    public required int VocabSize { get; init; }
    public required int MaxPositionEmbeddings { get; init; }
    public required RopeParameters Rope { get; init; }
    public bool TieWordEmbeddings { get; init; }

    /// <summary>q/k/v projections carry biases (qwen2 always; llama when attention_bias is set).</summary>
    public bool QkvBias { get; init; }

    /// <summary>o_proj carries a bias (llama's attention_bias; never qwen2).</summary>
    public bool OutputProjectionBias { get; init; }

    /// <summary>gate/up/down projections carry biases (llama's mlp_bias).</summary>
    public bool MlpBias { get; init; }

    /// <summary>Each position attends to at most this many positions, itself included (mistral); null for full attention.</summary>
    public int? SlidingWindow { get; init; }

    public int? BosTokenId { get; init; }
    public IReadOnlyList<int> EosTokenIds { get; init; } = [];

    public int QueryDim => NumAttentionHeads * HeadDim;
    public int KeyValueDim => NumKeyValueHeads * HeadDim;

    /// <summary>Query heads that share one key/value head (grouped-query attention).</summary>
    public int QueryHeadsPerKeyValueHead => NumAttentionHeads / NumKeyValueHeads;

    public static ModelConfig Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"cannot read {path}: {e.Message}", e);
        }
        return ModelConfigParser.Parse(json, path);
    }

    public static ModelConfig Parse(string json) => ModelConfigParser.Parse(json, "config.json");
}
