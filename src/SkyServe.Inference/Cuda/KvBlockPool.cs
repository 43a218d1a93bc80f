namespace SkyServe.Inference.Cuda;

/// <summary>
/// The paged KV cache's blocks: fixed-size runs of positions (<see cref="BlockTokens"/>) handed to sequences as they grow
/// and returned when they end, so sequences of any length share one device allocation without fragmenting it. Block 0 is
/// kept back as the scratch block that padding rows of a captured decode step write to. Pure bookkeeping, no device calls.
/// </summary>
public sealed class KvBlockPool
{
    private readonly Stack<int> free;
    private readonly Lock gate = new();

    public KvBlockPool(int blocks, int blockTokens)
    {
        if (blocks < 2)
            throw new ArgumentOutOfRangeException(nameof(blocks), blocks, "the pool needs the scratch block and at least one more");
        ArgumentOutOfRangeException.ThrowIfLessThan(blockTokens, 1);
        TotalBlocks = blocks;
        BlockTokens = blockTokens;
        free = new Stack<int>(Enumerable.Range(1, blocks - 1).Reverse());
    }

    public const int ScratchBlock = 0;

    public int TotalBlocks { get; }
    public int BlockTokens { get; }

    /// <summary>Blocks sequences may hold (all but the scratch block).</summary>
    public int UsableBlocks => TotalBlocks - 1;

    public long CapacityTokens => (long)UsableBlocks * BlockTokens;

    public int FreeBlocks
    {
        get
        {
            lock (gate)
                return free.Count;
        }
    }

    public int UsedBlocks => UsableBlocks - FreeBlocks;

    public int BlocksFor(long tokens) => (int)((tokens + BlockTokens - 1) / BlockTokens);

    /// <summary>Takes <paramref name="count"/> blocks at once, or none when fewer are free.</summary>
    public bool TryTake(int count, List<int> into)
    {
        lock (gate)
        {
            if (count > free.Count)
                return false;
            for (var i = 0; i < count; i++)
                into.Add(free.Pop());
            return true;
        }
    }

    public void Return(IEnumerable<int> blocks)
    {
        lock (gate)
            foreach (var block in blocks)
            {
                if (block <= ScratchBlock || block >= TotalBlocks)
                    throw new ArgumentException($"block {block} is not one of this pool's");
                free.Push(block);
            }
    }
}
