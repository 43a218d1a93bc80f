namespace SkyServe.Inference.Model;

/// <summary>
/// An engine that also picks the next tokens on its device, so that only the chosen token ids come back per step instead of
/// [vocab] float32 logits per sequence (the CUDA engine). Same selection rules as <c>TokenSampler</c>.
/// </summary>
public interface ITokenSamplingModel : ICausalLanguageModel
{
    /// <summary>
    /// Runs one step like <see cref="ICausalLanguageModel.Forward"/> and returns, per step, the token drawn from its last
    /// position's logits with its <paramref name="draws"/> entry. Steps must not ask for all logits.
    /// </summary>
    int[] ForwardAndSample(IReadOnlyList<SequenceStep> steps, IReadOnlyList<TokenDraw> draws);
}

/// <summary>
/// How to pick one token: argmax when <paramref name="Temperature"/> is 0, else a draw from softmax(logits / temperature)
/// restricted to the top-p nucleus, at <paramref name="Uniform"/> (in [0, 1), drawn by the host from the request's seed).
/// </summary>
public readonly record struct TokenDraw(float Temperature, float TopP, float Uniform)
{
    public static TokenDraw Greedy => new(0, 1, 0);
}
