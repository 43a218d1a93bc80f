using System.Numerics.Tensors;

namespace SkyServe.Inference.Model;

/// <summary>x / sqrt(mean(x²) + eps) * weight, in float32 and in that order, as transformers' LlamaRMSNorm.</summary>
public static class RmsNorm
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, float eps, Span<float> destination)
    {
        var meanSquare = TensorPrimitives.SumOfSquares(x) / x.Length;
        var scale = 1f / MathF.Sqrt(meanSquare + eps);
        TensorPrimitives.Multiply(x, scale, destination);
        TensorPrimitives.Multiply(destination, weight, destination);
    }

    /// <summary>Normalises each of rows rows of width weight.Length.</summary>
    public static void ApplyRows(float[] x, ReadOnlySpan<float> weight, float eps, float[] destination, int rows)
    {
        var width = weight.Length;
        for (var row = 0; row < rows; row++)
            Apply(x.AsSpan(row * width, width), weight, eps, destination.AsSpan(row * width, width));
    }
}
