namespace SkyServe.Inference.Model;

/// <summary>
/// Rotary position embeddings in Hugging Face's rotate_half convention: dimension i of a head pairs with
/// dimension i + headDim/2 (not with its neighbour), both rotated by position * inverseFrequency[i].
/// </summary>
public sealed class RotaryEmbedding
{
    private readonly int headDim;

    /// <summary>headDim/2 frequencies, float32 as transformers keeps them.</summary>
    public float[] InverseFrequencies { get; }

    public RotaryEmbedding(RopeParameters rope, int headDim)
    {
        this.headDim = headDim;
        InverseFrequencies = ComputeInverseFrequencies(rope, headDim);
    }

    /// <summary>Frequencies given outright, e.g. rounded as by a reference run that held them in bf16.</summary>
    public RotaryEmbedding(float[] inverseFrequencies)
    {
        headDim = inverseFrequencies.Length * 2;
        InverseFrequencies = inverseFrequencies;
    }

    /// <summary>cos and sin of each frequency at a position, computed in float32 as transformers does.</summary>
    public void Angles(int position, Span<float> cos, Span<float> sin)
    {
        for (var i = 0; i < InverseFrequencies.Length; i++)
        {
            var angle = position * InverseFrequencies[i];
            cos[i] = MathF.Cos(angle);
            sin[i] = MathF.Sin(angle);
        }
    }

    /// <summary>Rotates each head of a vector of heads * headDim values in place.</summary>
    public void Apply(Span<float> heads, ReadOnlySpan<float> cos, ReadOnlySpan<float> sin)
    {
        var half = headDim / 2;
        for (var start = 0; start < heads.Length; start += headDim)
        {
            var first = heads.Slice(start, half);
            var second = heads.Slice(start + half, half);
            for (var i = 0; i < half; i++)
            {
                var x1 = first[i];
                var x2 = second[i];
                first[i] = x1 * cos[i] - x2 * sin[i];
                second[i] = x2 * cos[i] + x1 * sin[i];
            }
        }
    }

    private static float[] ComputeInverseFrequencies(RopeParameters rope, int headDim)
    {
        var frequencies = new float[headDim / 2];
        for (var i = 0; i < frequencies.Length; i++)
            frequencies[i] = (float)(1.0 / Math.Pow(rope.Theta, 2.0 * i / headDim));

        switch (rope.Type)
        {
            case RopeType.Linear:
                for (var i = 0; i < frequencies.Length; i++)
                    frequencies[i] = (float)(frequencies[i] / rope.Factor);
                break;
            case RopeType.Llama3:
                ApplyLlama3Scaling(frequencies, rope);
                break;
        }
        return frequencies;
    }

    /// <summary>
    /// Llama 3.1's scaling: long wavelengths are divided by factor, short ones kept, and the band between
    /// blended smoothly (transformers' _compute_llama3_parameters).
    /// </summary>
    private static void ApplyLlama3Scaling(float[] frequencies, RopeParameters rope)
    {
        double originalContext = rope.OriginalMaxPositionEmbeddings;
        var lowFrequencyWavelength = originalContext / rope.LowFreqFactor;
        var highFrequencyWavelength = originalContext / rope.HighFreqFactor;
        for (var i = 0; i < frequencies.Length; i++)
        {
            double frequency = frequencies[i];
            var wavelength = 2 * Math.PI / frequency;
            if (wavelength < highFrequencyWavelength)
                continue;
            if (wavelength > lowFrequencyWavelength)
            {
                frequencies[i] = (float)(frequency / rope.Factor);
                continue;
            }
            var smooth = (originalContext / wavelength - rope.LowFreqFactor) / (rope.HighFreqFactor - rope.LowFreqFactor);
            frequencies[i] = (float)((1 - smooth) * frequency / rope.Factor + smooth * frequency);
        }
    }
}
