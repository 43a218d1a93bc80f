namespace SkyServe.Inference.Model;

/// <summary>One transformer block: attention with its input norm, then the SwiGLU MLP with its input norm.</summary>
public sealed record DecoderLayerWeights(
    float[] InputNorm,
    LinearLayer QueryProjection,
    LinearLayer KeyProjection,
    LinearLayer ValueProjection,
    LinearLayer OutputProjection,
    float[] PostAttentionNorm,
    LinearLayer GateProjection,
    LinearLayer UpProjection,
    LinearLayer DownProjection)
{
    /// <summary>Bytes of the block's weights as held in memory, all of which every forward step reads.</summary>
    public long Bytes =>
        (InputNorm.Length + PostAttentionNorm.Length) * (long)sizeof(float)
        + QueryProjection.Bytes + KeyProjection.Bytes + ValueProjection.Bytes + OutputProjection.Bytes
        + GateProjection.Bytes + UpProjection.Bytes + DownProjection.Bytes;
}
