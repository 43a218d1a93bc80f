using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;

namespace SkyServe.Bench.Agent;

/// <summary>What this machine can do at best: memory read bandwidth and float32 fused multiply-add throughput, all cores.</summary>
public static class MachinePeaks
{
    /// <summary>
    /// Bytes per second streamed from memory when every core sums its slice of a 1 GiB array (far larger than the
    /// caches); the best of several passes. This is the bandwidth a decode step's weight reads can get.
    /// </summary>
    public static double ReadBandwidth(int threads, int passes = 7)
    {
        var values = new float[256 << 20]; // 1 GiB
        Parallel.For(0, threads, t => Slice(values, t, threads).Fill(1f)); // first touch by every core, so the pages exist
        var best = double.MaxValue;
        var sums = new float[threads];
        for (var pass = 0; pass < passes; pass++)
        {
            var clock = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => sums[t] = TensorPrimitives.Sum(Slice(values, t, threads)));
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        GC.KeepAlive(sums);
        return values.LongLength * sizeof(float) / best;
    }

    /// <summary>float32 FLOP/s of independent FMA chains in the widest vectors the JIT uses, on every core; the best of several runs.</summary>
    public static double FmaFlops(int threads)
    {
        const int iterations = 20_000_000;
        var best = double.MaxValue;
        for (var run = 0; run < 3; run++)
        {
            var clock = Stopwatch.StartNew();
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ => FmaLoop(iterations));
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        var lanes = Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256<float>.Count;
        return 2.0 * 8 * lanes * iterations * threads / best;
    }

    private static float FmaLoop(int iterations)
    {
        // Eight independent accumulators hide the FMA latency.
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> a0 = Vector512.Create(1f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            var m = Vector512.Create(0.9999999f);
            var c = Vector512.Create(1e-7f);
            for (var i = 0; i < iterations; i++)
            {
                a0 = Vector512.FusedMultiplyAdd(a0, m, c); a1 = Vector512.FusedMultiplyAdd(a1, m, c);
                a2 = Vector512.FusedMultiplyAdd(a2, m, c); a3 = Vector512.FusedMultiplyAdd(a3, m, c);
                a4 = Vector512.FusedMultiplyAdd(a4, m, c); a5 = Vector512.FusedMultiplyAdd(a5, m, c);
                a6 = Vector512.FusedMultiplyAdd(a6, m, c); a7 = Vector512.FusedMultiplyAdd(a7, m, c);
            }
            return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7);
        }
        Vector256<float> b0 = Vector256.Create(1f), b1 = b0, b2 = b0, b3 = b0, b4 = b0, b5 = b0, b6 = b0, b7 = b0;
        var n = Vector256.Create(0.9999999f);
        var d = Vector256.Create(1e-7f);
        for (var i = 0; i < iterations; i++)
        {
            b0 = Vector256.FusedMultiplyAdd(b0, n, d); b1 = Vector256.FusedMultiplyAdd(b1, n, d);
            b2 = Vector256.FusedMultiplyAdd(b2, n, d); b3 = Vector256.FusedMultiplyAdd(b3, n, d);
            b4 = Vector256.FusedMultiplyAdd(b4, n, d); b5 = Vector256.FusedMultiplyAdd(b5, n, d);
            b6 = Vector256.FusedMultiplyAdd(b6, n, d); b7 = Vector256.FusedMultiplyAdd(b7, n, d);
        }
        return Vector256.Sum(b0 + b1 + b2 + b3 + b4 + b5 + b6 + b7);
    }

    private static Span<float> Slice(float[] values, int t, int threads)
    {
        var start = (long)values.Length * t / threads;
        var end = (long)values.Length * (t + 1) / threads;
        return values.AsSpan((int)start, (int)(end - start));
    }
}
