using System.Runtime.InteropServices;
using SkyServe.Inference.Model;

namespace SkyServe.Inference.Tests.Model;

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

    [Theory]
    [InlineData(1, 70, 100)]
    [InlineData(11, 70, 100)]
    [InlineData(8, 64, 64)]
    public void Bfloat16_weights_compute_exactly_what_their_float32_widening_does(int rows, int outFeatures, int inFeatures)
    {
        var random = new Random(11);
        var bits = WeightMatrix.AllocateBFloat16((long)outFeatures * inFeatures);
        for (var i = 0; i < outFeatures * inFeatures; i++)
            bits[i] = (ushort)(BitConverter.SingleToUInt32Bits(random.NextSingle() * 2 - 1) >> 16);
        var bfloat16 = WeightMatrix.FromBFloat16(bits, outFeatures, inFeatures);
        var bias = Random(random, outFeatures);
        var input = Random(random, (long)rows * inFeatures);
        var fromBFloat16 = new float[rows * outFeatures];
        var fromFloat32 = new float[rows * outFeatures];

        new LinearLayer(bfloat16, bias).Forward(input, fromBFloat16, rows);
        new LinearLayer(bfloat16.ToFloat32(), bias, outFeatures, inFeatures).Forward(input, fromFloat32, rows);

        Assert.True(MemoryMarshal.AsBytes(fromBFloat16.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(fromFloat32.AsSpan())));
        Assert.Equal(bfloat16.Bytes * 2, WeightMatrix.FromFloat32(bfloat16.ToFloat32(), outFeatures, inFeatures).Bytes);
    }
}
