using System.Runtime.InteropServices;
using SkyServe.ReplicaAgent.Engine.Model;

namespace SkyServe.ReplicaAgent.Tests.Engine.Model;

/// <summary>The blocked matrix kernels: right against a float64 reference, and a row's result independent of its batch.</summary>
public sealed class LinearLayerTests
{
    private static float[] Random(Random random, long count) =>
        Enumerable.Range(0, (int)count).Select(_ => random.NextSingle() * 2 - 1).ToArray();

    [Theory]
    [InlineData(1, 4, 8, false)]      // one decode row, one output quad
    [InlineData(5, 7, 13, true)]      // ragged everywhere: row and output remainders, a scalar tail
    [InlineData(37, 70, 100, true)]   // past one row tile, several output chunks
    [InlineData(9, 1000, 64, false)]  // large enough to run in parallel
    public void Outputs_match_a_float64_reference(int rows, int outFeatures, int inFeatures, bool withBias)
    {
        var random = new Random(rows * 1000 + outFeatures);
        var weight = Random(random, (long)outFeatures * inFeatures);
        var bias = withBias ? Random(random, outFeatures) : null;
        var input = Random(random, (long)rows * inFeatures);
        var output = new float[rows * outFeatures];

        new LinearLayer(weight, bias, outFeatures, inFeatures).Forward(input, output, rows);

        for (var r = 0; r < rows; r++)
            for (var o = 0; o < outFeatures; o++)
            {
                double expected = bias?[o] ?? 0;
                for (var i = 0; i < inFeatures; i++)
                    expected += (double)input[r * inFeatures + i] * weight[o * inFeatures + i];
                Assert.True(Math.Abs(output[r * outFeatures + o] - expected) <= 1e-5 * Math.Max(1, Math.Abs(expected)) * inFeatures / 8,
                    $"[{r}, {o}]: {output[r * outFeatures + o]} vs {expected}");
            }
    }

    [Fact]
    public void A_row_gets_the_same_bits_alone_as_in_any_batch()
    {
        const int outFeatures = 70, inFeatures = 100; // remainders in both directions
        var random = new Random(7);
        var layer = new LinearLayer(Random(random, outFeatures * inFeatures), Random(random, outFeatures), outFeatures, inFeatures);
        var batch = Random(random, 11 * inFeatures);
        var together = new float[11 * outFeatures];
        layer.Forward(batch, together, 11);

        for (var r = 0; r < 11; r++)
        {
            var alone = new float[outFeatures];
            layer.Forward(batch.AsSpan(r * inFeatures, inFeatures).ToArray(), alone, 1);
            Assert.True(MemoryMarshal.AsBytes(alone.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(together.AsSpan(r * outFeatures, outFeatures))), $"row {r} differs");
        }
    }
}
