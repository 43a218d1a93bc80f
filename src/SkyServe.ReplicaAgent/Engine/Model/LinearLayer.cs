using System.Numerics.Tensors;

namespace SkyServe.ReplicaAgent.Engine.Model;

/// <summary>
/// y = x·Wᵀ + b with W row-major [out, in] as checkpoints store it, so each output is one contiguous dot
/// product. Large products are split over output rows across cores; small ones stay on the calling thread,
/// where they finish faster than a hand-off.
/// </summary>
public sealed class LinearLayer
{
    /// <summary>Multiply-adds below which parallelising costs more than it saves.</summary>
    private const long ParallelThreshold = 1 << 18;

    /// <summary>Output rows per work item: enough to amortise scheduling, few enough to balance.</summary>
    private const int RowsPerChunk = 16;

    /// <summary>Input rows handled together, so they stay in cache while the weight rows stream past.</summary>
    private const int InputRowsPerTile = 16;

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public float[] Weight { get; }
    public float[]? Bias { get; }

    public LinearLayer(float[] weight, float[]? bias, int outFeatures, int inFeatures)
    {
        if (weight.Length != (long)outFeatures * inFeatures)
            throw new ArgumentException($"weight has {weight.Length} values, not {outFeatures} x {inFeatures}", nameof(weight));
        if (bias is not null && bias.Length != outFeatures)
            throw new ArgumentException($"bias has {bias.Length} values, not {outFeatures}", nameof(bias));
        Weight = weight;
        Bias = bias;
        OutFeatures = outFeatures;
        InFeatures = inFeatures;
    }

    /// <summary>input is [rows, InFeatures], output [rows, OutFeatures], both row-major.</summary>
    public void Forward(float[] input, float[] output, int rows)
    {
        if (input.Length < (long)rows * InFeatures || output.Length < (long)rows * OutFeatures)
            throw new ArgumentException("input or output is smaller than rows x features");

        var chunks = (OutFeatures + RowsPerChunk - 1) / RowsPerChunk;
        if ((long)rows * OutFeatures * InFeatures < ParallelThreshold || Environment.ProcessorCount == 1)
        {
            MultiplyRows(input, output, rows, 0, OutFeatures);
            return;
        }
        Parallel.For(0, chunks, chunk =>
        {
            var first = chunk * RowsPerChunk;
            MultiplyRows(input, output, rows, first, Math.Min(first + RowsPerChunk, OutFeatures));
        });
    }

    private void MultiplyRows(float[] input, float[] output, int rows, int firstOut, int endOut)
    {
        for (var tileStart = 0; tileStart < rows; tileStart += InputRowsPerTile)
        {
            var tileEnd = Math.Min(tileStart + InputRowsPerTile, rows);
            for (var o = firstOut; o < endOut; o++)
            {
                var weightRow = Weight.AsSpan(o * InFeatures, InFeatures);
                var bias = Bias is null ? 0f : Bias[o];
                for (var r = tileStart; r < tileEnd; r++)
                    output[r * OutFeatures + o] = TensorPrimitives.Dot(input.AsSpan(r * InFeatures, InFeatures), weightRow) + bias;
            }
        }
    }
}
