using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace SkyServe.Inference.Model;

/// <summary>
/// y = x·Wᵀ + b with W row-major [out, in] as checkpoints store it (float32, or bfloat16 widened in registers), so each
/// output is one contiguous dot product. The work is split over output rows across cores (small products stay on the
/// calling thread, where they finish faster than a hand-off). With fewer than 4 input rows (decode of a few
/// sequences) each output is one dot product over its weight row, so the weights stream through in one sequential run
/// at memory speed. With more, a register-blocked kernel computes 4 input rows × 4 outputs at a time (each weight
/// vector loaded feeds 4 multiply-adds, each input vector 4) and prefetches the next 4 weight rows, so a prefill or a
/// large batch runs near the cores' multiply-add peak. Every output is summed in the same order (vector lanes over the
/// input, then the lanes, then the remainder) whichever path computes it and whichever format holds the weights, so a
/// row's result depends neither on what it was batched with nor on bfloat16 being kept as such.
/// </summary>
public sealed unsafe class LinearLayer
{
    /// <summary>Multiply-adds below which parallelising costs more than it saves.</summary>
    private const long ParallelThreshold = 1 << 18;

    /// <summary>Output rows per work item: enough to amortise scheduling, few enough to balance.</summary>
    private const int OutputsPerChunk = 32;

    /// <summary>Input rows kept in cache together while a work item's weight rows stream past them.</summary>
    private const int InputRowsPerTile = 32;

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public WeightMatrix Weight { get; }
    public float[]? Bias { get; }

    /// <summary>The weight and bias bytes as held in memory: what one forward step reads.</summary>
    public long Bytes => Weight.Bytes + (Bias?.Length ?? 0) * (long)sizeof(float);

    public LinearLayer(float[] weight, float[]? bias, int outFeatures, int inFeatures)
        : this(WeightMatrix.FromFloat32(weight, outFeatures, inFeatures), bias)
    {
    }

    public LinearLayer(WeightMatrix weight, float[]? bias)
    {
        if (bias is not null && bias.Length != weight.Rows)
            throw new ArgumentException($"bias has {bias.Length} values, not {weight.Rows}", nameof(bias));
        Weight = weight;
        Bias = bias;
        OutFeatures = weight.Rows;
        InFeatures = weight.Columns;
    }

    /// <summary>input is [rows, InFeatures], output [rows, OutFeatures], both row-major.</summary>
    public void Forward(float[] input, float[] output, int rows)
    {
        if (rows < 0 || input.Length < (long)rows * InFeatures || output.Length < (long)rows * OutFeatures)
            throw new ArgumentException("input or output is smaller than rows x features");

        if ((long)rows * OutFeatures * InFeatures < ParallelThreshold || Environment.ProcessorCount == 1)
        {
            Multiply(input, output, rows, 0, OutFeatures);
            return;
        }
        var chunks = (OutFeatures + OutputsPerChunk - 1) / OutputsPerChunk;
        Parallel.For(0, chunks, chunk =>
        {
            var first = chunk * OutputsPerChunk;
            Multiply(input, output, rows, first, Math.Min(first + OutputsPerChunk, OutFeatures));
        });
    }

    private void Multiply(float[] input, float[] output, int rows, int firstOut, int endOut)
    {
        if (!Weight.IsBFloat16)
            Multiply<Float32Weights, float>(input, ref Weight.Float32Reference, output, rows, firstOut, endOut);
        else
            Multiply<BFloat16Weights, ushort>(input, ref Weight.BFloat16Reference, output, rows, firstOut, endOut);
    }

    private void Multiply<TFormat, T>(float[] input, ref T w, float[] output, int rows, int firstOut, int endOut)
        where TFormat : IWeightFormat<T>
        where T : unmanaged
    {
        ref var x = ref MemoryMarshal.GetArrayDataReference(input);
        var k = InFeatures;
        for (var tile = 0; tile < rows; tile += InputRowsPerTile)
        {
            var tileEnd = Math.Min(tile + InputRowsPerTile, rows);
            for (var o = firstOut; o < endOut; o += 4)
            {
                var outputs = Math.Min(4, endOut - o);
                ref var w0 = ref Unsafe.Add(ref w, (nint)o * k);
                var r = tile;
                if (tileEnd - tile < 4 || outputs < 4)
                {
                    // Output-major: one weight row at a time, one sequential stream, reused from L1 by the few input rows.
                    for (var j = 0; j < outputs; j++)
                        for (r = tile; r < tileEnd; r++)
                            Store(output, r, o + j, Dot<TFormat, T>(ref Unsafe.Add(ref x, (nint)r * k), ref Unsafe.Add(ref w0, (nint)j * k), k));
                    continue;
                }
                for (; r + 4 <= tileEnd; r += 4)
                    Kernel4x4<TFormat, T>(ref Unsafe.Add(ref x, (nint)r * k), ref w0, k, output, r, o);
                for (; r < tileEnd; r++)
                    Kernel1x4<TFormat, T>(ref Unsafe.Add(ref x, (nint)r * k), ref w0, k, output, r, o);
            }
        }
    }

    private void Store(float[] output, int row, int column, float sum) =>
        output[row * OutFeatures + column] = Bias is null ? sum : sum + Bias[column];

    /// <summary>One output: lanes accumulated over the vectorisable prefix, summed, then the remainder in order.</summary>
    // Fully optimised from the first call (decode's hot path; no slow tier-0 start for the first requests). The
    // blocked kernels are left to tiered compilation, which measured faster for them (bench/agent.sh, batch 8 and TTFT).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot<TFormat, T>(ref float x, ref T w, int k)
        where TFormat : IWeightFormat<T>
        where T : unmanaged
    {
        var width = Vector<float>.Count;
        var acc = Vector<float>.Zero;
        var i = 0;
        for (; i + width <= k; i += width)
            acc = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref x, (nuint)i), TFormat.Load(ref w, i), acc);
        return Tail<TFormat, T>(ref x, ref w, i, k, Vector.Sum(acc));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Tail<TFormat, T>(ref float x, ref T w, int i, int k, float sum)
        where TFormat : IWeightFormat<T>
        where T : unmanaged
    {
        for (; i < k; i++)
            sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref x, i), TFormat.LoadScalar(ref w, i), sum);
        return sum;
    }

    /// <summary>One input row against four weight rows (a batch's leftover row, the weights already in cache): each input vector loaded once for four outputs.</summary>
    private void Kernel1x4<TFormat, T>(ref float x, ref T w, int k, float[] output, int row, int o)
        where TFormat : IWeightFormat<T>
        where T : unmanaged
    {
        var width = Vector<float>.Count;
        ref var w1 = ref Unsafe.Add(ref w, k);
        ref var w2 = ref Unsafe.Add(ref w, 2 * k);
        ref var w3 = ref Unsafe.Add(ref w, 3 * k);
        Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
        var i = 0;
        for (; i + width <= k; i += width)
        {
            var xi = Vector.LoadUnsafe(ref x, (nuint)i);
            a0 = Vector.FusedMultiplyAdd(xi, TFormat.Load(ref w, i), a0);
            a1 = Vector.FusedMultiplyAdd(xi, TFormat.Load(ref w1, i), a1);
            a2 = Vector.FusedMultiplyAdd(xi, TFormat.Load(ref w2, i), a2);
            a3 = Vector.FusedMultiplyAdd(xi, TFormat.Load(ref w3, i), a3);
        }
        Store(output, row, o, Tail<TFormat, T>(ref x, ref w, i, k, Vector.Sum(a0)));
        Store(output, row, o + 1, Tail<TFormat, T>(ref x, ref w1, i, k, Vector.Sum(a1)));
        Store(output, row, o + 2, Tail<TFormat, T>(ref x, ref w2, i, k, Vector.Sum(a2)));
        Store(output, row, o + 3, Tail<TFormat, T>(ref x, ref w3, i, k, Vector.Sum(a3)));
    }

    /// <summary>Four input rows against four weight rows: 16 accumulators, 8 loads per 16 multiply-adds.</summary>
    private void Kernel4x4<TFormat, T>(ref float x, ref T w, int k, float[] output, int row, int o)
        where TFormat : IWeightFormat<T>
        where T : unmanaged
    {
        var width = Vector<float>.Count;
        ref var x1 = ref Unsafe.Add(ref x, k);
        ref var x2 = ref Unsafe.Add(ref x, 2 * k);
        ref var x3 = ref Unsafe.Add(ref x, 3 * k);
        ref var w1 = ref Unsafe.Add(ref w, k);
        ref var w2 = ref Unsafe.Add(ref w, 2 * k);
        ref var w3 = ref Unsafe.Add(ref w, 3 * k);
        Vector<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector<float> a30 = default, a31 = default, a32 = default, a33 = default;
        var i = 0;
        for (; i + width <= k; i += width)
        {
            if (Sse.IsSupported && (i & 15) == 0)
            {
                // The four rows are four short streams, too short for the hardware prefetcher to pick up: fetch the
                // next four rows' same cache lines now, so they are in cache when this loop gets there.
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref w, 4 * k + i)));
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref w1, 4 * k + i)));
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref w2, 4 * k + i)));
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref w3, 4 * k + i)));
            }
            var v0 = TFormat.Load(ref w, i);
            var v1 = TFormat.Load(ref w1, i);
            var v2 = TFormat.Load(ref w2, i);
            var v3 = TFormat.Load(ref w3, i);
            var u = Vector.LoadUnsafe(ref x, (nuint)i);
            a00 = Vector.FusedMultiplyAdd(u, v0, a00); a01 = Vector.FusedMultiplyAdd(u, v1, a01);
            a02 = Vector.FusedMultiplyAdd(u, v2, a02); a03 = Vector.FusedMultiplyAdd(u, v3, a03);
            u = Vector.LoadUnsafe(ref x1, (nuint)i);
            a10 = Vector.FusedMultiplyAdd(u, v0, a10); a11 = Vector.FusedMultiplyAdd(u, v1, a11);
            a12 = Vector.FusedMultiplyAdd(u, v2, a12); a13 = Vector.FusedMultiplyAdd(u, v3, a13);
            u = Vector.LoadUnsafe(ref x2, (nuint)i);
            a20 = Vector.FusedMultiplyAdd(u, v0, a20); a21 = Vector.FusedMultiplyAdd(u, v1, a21);
            a22 = Vector.FusedMultiplyAdd(u, v2, a22); a23 = Vector.FusedMultiplyAdd(u, v3, a23);
            u = Vector.LoadUnsafe(ref x3, (nuint)i);
            a30 = Vector.FusedMultiplyAdd(u, v0, a30); a31 = Vector.FusedMultiplyAdd(u, v1, a31);
            a32 = Vector.FusedMultiplyAdd(u, v2, a32); a33 = Vector.FusedMultiplyAdd(u, v3, a33);
        }
        Store(output, row, o, Tail<TFormat, T>(ref x, ref w, i, k, Vector.Sum(a00)));
        Store(output, row, o + 1, Tail<TFormat, T>(ref x, ref w1, i, k, Vector.Sum(a01)));
        Store(output, row, o + 2, Tail<TFormat, T>(ref x, ref w2, i, k, Vector.Sum(a02)));
        Store(output, row, o + 3, Tail<TFormat, T>(ref x, ref w3, i, k, Vector.Sum(a03)));
        Store(output, row + 1, o, Tail<TFormat, T>(ref x1, ref w, i, k, Vector.Sum(a10)));
        Store(output, row + 1, o + 1, Tail<TFormat, T>(ref x1, ref w1, i, k, Vector.Sum(a11)));
        Store(output, row + 1, o + 2, Tail<TFormat, T>(ref x1, ref w2, i, k, Vector.Sum(a12)));
        Store(output, row + 1, o + 3, Tail<TFormat, T>(ref x1, ref w3, i, k, Vector.Sum(a13)));
        Store(output, row + 2, o, Tail<TFormat, T>(ref x2, ref w, i, k, Vector.Sum(a20)));
        Store(output, row + 2, o + 1, Tail<TFormat, T>(ref x2, ref w1, i, k, Vector.Sum(a21)));
        Store(output, row + 2, o + 2, Tail<TFormat, T>(ref x2, ref w2, i, k, Vector.Sum(a22)));
        Store(output, row + 2, o + 3, Tail<TFormat, T>(ref x2, ref w3, i, k, Vector.Sum(a23)));
        Store(output, row + 3, o, Tail<TFormat, T>(ref x3, ref w, i, k, Vector.Sum(a30)));
        Store(output, row + 3, o + 1, Tail<TFormat, T>(ref x3, ref w1, i, k, Vector.Sum(a31)));
        Store(output, row + 3, o + 2, Tail<TFormat, T>(ref x3, ref w2, i, k, Vector.Sum(a32)));
        Store(output, row + 3, o + 3, Tail<TFormat, T>(ref x3, ref w3, i, k, Vector.Sum(a33)));
    }
}
