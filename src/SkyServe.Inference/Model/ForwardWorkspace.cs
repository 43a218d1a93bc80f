namespace SkyServe.Inference.Model;

/// <summary>Activation buffers of one forward step, kept between steps and grown when a batch has more tokens.</summary>
internal sealed class ForwardWorkspace(ModelConfig config)
{
    private int tokenCapacity;

    public float[] Hidden { get; private set; } = [];
    public float[] Normed { get; private set; } = [];
    public float[] Query { get; private set; } = [];
    public float[] Key { get; private set; } = [];
    public float[] Value { get; private set; } = [];
    public float[] Attention { get; private set; } = [];
    public float[] Projected { get; private set; } = [];
    public float[] Gate { get; private set; } = [];
    public float[] Up { get; private set; } = [];
    public float[] Activation { get; private set; } = [];

    /// <summary>cos and sin of each token's position, [tokens, headDim/2]: shared by every layer.</summary>
    public float[] Cos { get; private set; } = [];
    public float[] Sin { get; private set; } = [];

    public void EnsureTokens(int tokens)
    {
        if (tokens <= tokenCapacity)
            return;
        tokenCapacity = Math.Max(tokens, tokenCapacity * 2);
        Hidden = Rows(config.HiddenSize);
        Normed = Rows(config.HiddenSize);
        Query = Rows(config.QueryDim);
        Key = Rows(config.KeyValueDim);
        Value = Rows(config.KeyValueDim);
        Attention = Rows(config.QueryDim);
        Projected = Rows(config.HiddenSize);
        Gate = Rows(config.IntermediateSize);
        Up = Rows(config.IntermediateSize);
        Activation = Rows(config.IntermediateSize);
        Cos = Rows(config.HeadDim / 2);
        Sin = Rows(config.HeadDim / 2);
    }

    /// <summary>A buffer for a step's logits, kept for the next step unless it is unusually large (all-position logits of a long prompt).</summary>
    public float[] Logits(long values)
    {
        const long MaxKept = 16 << 20;
        if (values <= logits.Length)
            return logits;
        if (values > MaxKept)
            return new float[values];
        return logits = new float[Math.Min(MaxKept, Math.Max(values, logits.Length * 2L))];
    }

    private float[] logits = [];

    private float[] Rows(int width) => new float[(long)tokenCapacity * width];
}
