namespace SkyServe.Inference.Model;

/// <summary>
/// How a step's sequences are laid out as rows of one token matrix: each token's sequence and position,
/// and which rows come back as logits.
/// </summary>
internal sealed class BatchLayout
{
    public required CpuKvCache[] Caches { get; init; }
    public required int[] Tokens { get; init; }

    /// <summary>Index into Caches of each token row.</summary>
    public required int[] SequenceOfRow { get; init; }

    public required int[] PositionOfRow { get; init; }

    /// <summary>Per sequence, the first token row and how many rows it returns logits for (from the end of its rows).</summary>
    public required (int FirstRow, int TokenCount, int LogitRows)[] Sequences { get; init; }

    public int TokenCount => Tokens.Length;

    public int LogitRowCount => Sequences.Sum(sequence => sequence.LogitRows);

    public static BatchLayout Plan(IReadOnlyList<SequenceStep> steps, object owner, int vocabSize)
    {
        var caches = SequenceSteps.Caches<CpuKvCache>(steps, owner, cache => cache.Owner, vocabSize);
        var tokenCount = steps.Sum(step => step.Tokens.Count);

        var tokens = new int[tokenCount];
        var sequenceOfRow = new int[tokenCount];
        var positionOfRow = new int[tokenCount];
        var sequences = new (int, int, int)[steps.Count];
        var row = 0;
        for (var s = 0; s < steps.Count; s++)
        {
            var step = steps[s];
            sequences[s] = (row, step.Tokens.Count, step.ReturnAllLogits ? step.Tokens.Count : 1);
            for (var i = 0; i < step.Tokens.Count; i++, row++)
            {
                tokens[row] = step.Tokens[i];
                sequenceOfRow[row] = s;
                positionOfRow[row] = caches[s].Length + i;
            }
        }
        return new BatchLayout
        {
            Caches = caches,
            Tokens = tokens,
            SequenceOfRow = sequenceOfRow,
            PositionOfRow = positionOfRow,
            Sequences = sequences,
        };
    }
}
