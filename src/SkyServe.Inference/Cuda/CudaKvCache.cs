using SkyServe.Inference.Model;

namespace SkyServe.Inference.Cuda;

/// <summary>
/// One sequence's share of the paged KV cache: the blocks it holds, in position order (its block table). Blocks are
/// reserved up front for the longest the sequence may grow (<see cref="CudaLlamaModel.TryCreateCache"/>) or taken as it
/// grows; all go back to the pool on <see cref="Dispose"/>.
/// </summary>
public sealed class CudaKvCache : KvCache
{
    private readonly KvBlockPool pool;
    private readonly List<int> blocks = [];
    private int length;
    private bool disposed;

    internal CudaKvCache(object owner, KvBlockPool pool)
    {
        Owner = owner;
        this.pool = pool;
    }

    internal object Owner { get; }

    public override int Length => length;

    public IReadOnlyList<int> Blocks => blocks;

    /// <summary>Positions the held blocks have room for.</summary>
    public long Capacity => (long)blocks.Count * pool.BlockTokens;

    /// <summary>Holds enough blocks for <paramref name="positions"/> positions, or returns false and holds what it held.</summary>
    public bool TryReserve(long positions)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var missing = pool.BlocksFor(positions) - blocks.Count;
        return missing <= 0 || pool.TryTake(missing, blocks);
    }

    internal void EnsureCapacity(long positions)
    {
        if (!TryReserve(positions))
            throw new KvCacheFullException($"the KV cache is full: {pool.FreeBlocks} of {pool.UsableBlocks} blocks of {pool.BlockTokens} positions are free, {pool.BlocksFor(positions) - blocks.Count} more are needed");
    }

    internal void Commit(int newLength) => length = newLength;

    public override void Dispose()
    {
        if (!disposed)
        {
            disposed = true;
            pool.Return(blocks);
            blocks.Clear();
        }
        base.Dispose();
    }
}

/// <summary>A step needed more KV-cache blocks than are free.</summary>
public sealed class KvCacheFullException(string message) : Exception(message);
