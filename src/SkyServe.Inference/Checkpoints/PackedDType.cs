namespace SkyServe.Inference.Checkpoints;

/// <summary>
/// How the packed layout stores tensors that the source holds in 16 bits. bench/agent.sh measured a BF16 model load
/// faster as <see cref="Source"/> (half the bytes from disk; the widening runs at memory speed), so that is the default.
/// </summary>
public enum PackedDType
{
    /// <summary>As the source stores them (F16/BF16 stay 16-bit, widened while loading): half the bytes to read.</summary>
    Source,

    /// <summary>Widened once at conversion to float32, the dtype the CPU engine computes in: loading is a plain read.</summary>
    Float32,
}
