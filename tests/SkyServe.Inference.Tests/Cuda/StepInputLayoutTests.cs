using System.Runtime.InteropServices;
using SkyServe.Inference.Cuda;
using SkyServe.Inference.Model;

namespace SkyServe.Inference.Tests.Cuda;

/// <summary>The words one copy moves to the GPU per pass, as the kernels read them.</summary>
public sealed class StepInputLayoutTests
{
    private static readonly StepInputLayout Layout = new(MaxRows: 16, MaxLogitRows: 8, MaxBlocksPerSequence: 4);

    [Fact]
    public void A_mixed_pass_lays_out_tokens_positions_sequences_logit_rows_and_block_tables()
    {
        var words = new int[Layout.Words];
        PassPart[] parts = [new(0, 0, 3, 1), new(1, 0, 1, 1)];
        var draws = new[] { TokenDraw.Greedy, new TokenDraw(0.7f, 0.9f, 0.25f) };

        var (rows, logitRows, used) = Layout.Fill(words, parts, [[11, 12, 13], [21]], cacheLengths: [0, 17], blocks: [[5], [7, 9]], draws, null, blockTokens: 16);

        Assert.Equal((4, 2), (rows, logitRows));
        Assert.Equal(2, words[0]); // table stride: the second sequence reaches position 17, its second block
        Assert.Equal([11, 12, 13, 21], words.AsSpan(Layout.Tokens, 4).ToArray());
        Assert.Equal([0, 1, 2, 17], words.AsSpan(Layout.Positions, 4).ToArray());
        Assert.Equal([0, 0, 0, 1], words.AsSpan(Layout.RowSequence, 4).ToArray());
        Assert.Equal([2, 3], words.AsSpan(Layout.LogitRows, 2).ToArray());
        Assert.Equal([0f, 1f, 0f, 0.7f, 0.9f, 0.25f], MemoryMarshal.Cast<int, float>(words.AsSpan(Layout.SampleParameters, 6)).ToArray());
        Assert.Equal([5, 0, 7, 9], words.AsSpan(Layout.BlockTables, 4).ToArray());
        Assert.Equal(Layout.BlockTables + 4, used);
    }

    [Fact]
    public void A_decode_graph_pads_to_its_batch_with_rows_that_touch_only_the_scratch_block()
    {
        var words = Enumerable.Repeat(-1, (int)Layout.Words).ToArray();
        PassPart[] parts = [new(0, 0, 1, 1), new(1, 0, 1, 1), new(2, 0, 1, 1)];

        var (rows, logitRows, _) = Layout.Fill(words, parts, [[1], [2], [3]], [4, 40, 9], [[3], [4, 6, 8], [2]], null, decodeBatch: 4, blockTokens: 16);

        Assert.Equal((4, 4), (rows, logitRows));
        Assert.Equal(3, words[0]);
        Assert.Equal([1, 2, 3, 0], words.AsSpan(Layout.Tokens, 4).ToArray());
        Assert.Equal([4, 40, 9, 0], words.AsSpan(Layout.Positions, 4).ToArray());
        Assert.Equal([0, 1, 2, 3], words.AsSpan(Layout.RowSequence, 4).ToArray());
        Assert.Equal([0, 1, 2, 3], words.AsSpan(Layout.LogitRows, 4).ToArray());
        Assert.Equal([3, 0, 0, 4, 6, 8, 2, 0, 0, 0, 0, 0], words.AsSpan(Layout.BlockTables, 12).ToArray());
    }

    [Fact]
    public void The_decode_graph_for_a_batch_is_the_smallest_captured_size_that_holds_it()
    {
        var options = new CudaEngineOptions(MaxBatchSize: 40);

        Assert.Equal([1, 2, 4, 8, 16, 24, 32, 40], options.GraphBatchSizes);
        Assert.Equal(1, options.GraphBatchFor(1));
        Assert.Equal(4, options.GraphBatchFor(3));
        Assert.Equal(40, options.GraphBatchFor(33));
        Assert.Null(options.GraphBatchFor(41));
    }

    [Fact]
    public void A_pass_larger_than_the_layout_is_refused()
    {
        var words = new int[Layout.Words];
        Assert.Throws<ArgumentException>(() => Layout.Fill(words, [new PassPart(0, 0, 1, 1)], [[1]], [100], [[1, 2, 3, 4, 5, 6, 7]], null, null, 16));
    }
}
