using SkyServe.Inference.Model;

namespace SkyServe.Inference.Tests.Model;

public sealed class RotaryEmbeddingTests
{
    [Theory]
    // Llama 3.1's settings; expected values from transformers' _compute_llama3_parameters, evaluated in double.
    [InlineData(0, 1.0)]                      // short wavelength: kept
    [InlineData(29, 0.002166570763503359)]    // inside the band: blended
    [InlineData(30, 0.0013718935677611381)]
    [InlineData(33, 0.00031269375038406517)]
    [InlineData(35, 9.556212353964683e-05)]   // long wavelength: divided by factor
    [InlineData(63, 3.068925988914511e-07)]
    public void Llama3_scaling_matches_transformers(int index, double expected)
    {
        var rotary = new RotaryEmbedding(new RopeParameters(500000.0, RopeType.Llama3, 8.0, 1.0, 4.0, 8192), headDim: 128);

        Assert.Equal(expected, rotary.InverseFrequencies[index], expected * 1e-6);
    }

    [Fact]
    public void Linear_scaling_divides_every_frequency()
    {
        var plain = new RotaryEmbedding(new RopeParameters(10000.0), headDim: 8);
        var linear = new RotaryEmbedding(new RopeParameters(10000.0, RopeType.Linear, Factor: 4.0), headDim: 8);

        Assert.Equal([1f, 0.1f, 0.01f, 0.001f], plain.InverseFrequencies, (a, b) => Math.Abs(a - b) < 1e-7f);
        Assert.Equal(plain.InverseFrequencies.Select(f => f / 4), linear.InverseFrequencies, (a, b) => Math.Abs(a - b) < 1e-9f);
    }

    [Fact]
    public void Rotation_pairs_each_dimension_with_the_one_half_a_head_away()
    {
        var rotary = new RotaryEmbedding(new RopeParameters(10000.0), headDim: 4);
        Span<float> cos = stackalloc float[2];
        Span<float> sin = stackalloc float[2];
        rotary.Angles(3, cos, sin);
        // Two heads of four: the first dimension of each head turns towards its third, not its second.
        float[] heads = [1, 0, 0, 0, 0, 0, 1, 0];

        rotary.Apply(heads, cos, sin);

        Assert.Equal([MathF.Cos(3), 0, MathF.Sin(3), 0, -MathF.Sin(3), 0, MathF.Cos(3), 0], heads);
    }
}
