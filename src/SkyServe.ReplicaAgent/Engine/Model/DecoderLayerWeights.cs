namespace SkyServe.ReplicaAgent.Engine.Model;

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
    LinearLayer DownProjection);
