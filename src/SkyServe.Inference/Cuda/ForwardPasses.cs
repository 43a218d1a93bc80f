namespace SkyServe.Inference.Cuda;

/// <summary>A run of one sequence's new tokens inside a forward pass, and how many of its last rows return logits.</summary>
public readonly record struct PassPart(int Step, int Offset, int Count, int LogitRows);

/// <summary>
/// Splits a forward step into passes that fit the device workspace: at most <c>maxTokens</c> token rows, <c>maxLogitRows</c>
/// logit rows and <c>maxSequences</c> sequences each. A long prompt chunk spans several passes, in order; only the part
/// holding a step's last token returns its logits (every part, for steps that want all logits). Pure.
/// </summary>
public static class ForwardPasses
{
    /// <param name="tokens">Per step, its new tokens.</param>
    /// <param name="allLogits">Per step, whether every new position returns logits.</param>
    public static List<PassPart[]> Plan(IReadOnlyList<int> tokens, IReadOnlyList<bool> allLogits, int maxTokens, int maxLogitRows, int maxSequences)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLogitRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSequences, 1);
        var done = new int[tokens.Count];
        var passes = new List<PassPart[]>();
        while (true)
        {
            var parts = new List<PassPart>();
            int rows = 0, logitRows = 0;
            for (var s = 0; s < tokens.Count && rows < maxTokens && parts.Count < maxSequences; s++)
            {
                var remaining = tokens[s] - done[s];
                if (remaining == 0)
                    continue;
                var take = Math.Min(remaining, maxTokens - rows);
                int logits;
                if (allLogits[s])
                {
                    take = Math.Min(take, maxLogitRows - logitRows);
                    logits = take;
                }
                else if (take == remaining && logitRows == maxLogitRows)
                {
                    take--; // its last token needs a logit row: that one waits for the next pass
                    logits = 0;
                }
                else
                    logits = take == remaining ? 1 : 0;
                if (take == 0)
                    continue;
                parts.Add(new PassPart(s, done[s], take, logits));
                done[s] += take;
                rows += take;
                logitRows += logits;
            }
            if (parts.Count == 0)
                return passes;
            passes.Add([.. parts]);
        }
    }
}
