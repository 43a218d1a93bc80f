using SkyServe.Inference.Cuda;

namespace SkyServe.Inference.Tests.Cuda;

/// <summary>The paged KV cache's bookkeeping: blocks handed out whole, all or none, returned on dispose; block 0 never lent.</summary>
public sealed class KvBlockPoolTests
{
    [Fact]
    public void The_scratch_block_is_never_handed_out()
    {
        var pool = new KvBlockPool(blocks: 5, blockTokens: 16);
        var taken = new List<int>();

        Assert.True(pool.TryTake(4, taken));
        Assert.Equal([1, 2, 3, 4], taken.Order());
        Assert.Equal(4 * 16, pool.CapacityTokens);
        Assert.False(pool.TryTake(1, taken));
        Assert.Throws<ArgumentException>(() => pool.Return([KvBlockPool.ScratchBlock]));
    }

    [Fact]
    public void A_request_for_more_than_is_free_takes_nothing()
    {
        var pool = new KvBlockPool(blocks: 4, blockTokens: 16);
        var first = new List<int>();
        Assert.True(pool.TryTake(2, first));

        var second = new List<int>();
        Assert.False(pool.TryTake(2, second));
        Assert.Empty(second);
        Assert.Equal(1, pool.FreeBlocks);
    }

    [Fact]
    public void A_cache_reserves_whole_blocks_and_gives_them_back_when_disposed()
    {
        var pool = new KvBlockPool(blocks: 9, blockTokens: 16);
        var owner = new object();
        var cache = new CudaKvCache(owner, pool);

        Assert.True(cache.TryReserve(33)); // 3 blocks of 16
        Assert.Equal(3, cache.Blocks.Count);
        Assert.Equal(48, cache.Capacity);
        Assert.True(cache.TryReserve(40)); // still 3
        Assert.Equal(3, cache.Blocks.Count);
        Assert.Equal(5, pool.FreeBlocks);

        var other = new CudaKvCache(owner, pool);
        Assert.False(other.TryReserve(6 * 16)); // only 5 left
        Assert.Empty(other.Blocks);
        Assert.Throws<KvCacheFullException>(() => other.EnsureCapacity(6 * 16));

        cache.Dispose();
        Assert.Equal(8, pool.FreeBlocks);
        Assert.True(other.TryReserve(6 * 16));
        cache.Dispose(); // twice is harmless
        Assert.Equal(2, pool.FreeBlocks);
    }

    [Fact]
    public void The_kv_cache_takes_what_the_memory_budget_leaves_in_whole_blocks()
    {
        const long Gb = 1_000_000_000;
        // 141 GB device, 20 GB in use after the weights, 90% allowed: 126.9 - 20 = 106.9 GB for blocks of 2 MB.
        var blocks = KvCachePlan.Blocks(141 * Gb, 121 * Gb, 0.9, 2_097_152, 16, 131072);
        Assert.Equal((long)(141 * Gb * 0.9 - 20 * Gb) / 2_097_152, blocks);
    }

    [Fact]
    public void A_model_whose_context_does_not_fit_is_refused_with_the_figures()
    {
        const long Gb = 1_000_000_000;
        // 24 GB device with 16 GB of weights: 5.6 GB left, one 131072-position sequence of Llama 8B needs 17.2 GB.
        var error = Assert.Throws<CudaModelDoesNotFitException>(() => KvCachePlan.Blocks(24 * Gb, 8 * Gb, 0.9, 2_097_152, 16, 131072));
        Assert.Contains("the model does not fit", error.Message);
        Assert.Contains("16.00 GB of the device's 24.00 GB are in use", error.Message);
        Assert.Contains("one sequence of 131072 positions needs 17.18 GB", error.Message);
        Assert.Contains("--gpu-memory-utilization", error.Message);
    }
}
