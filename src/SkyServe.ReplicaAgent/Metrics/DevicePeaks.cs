using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SkyServe.ReplicaAgent.Metrics;

/// <summary>
/// The device's peak memory bandwidth and compute, the denominators of MBU and MFU: from --peak-bandwidth-gbps
/// and --peak-tflops (a datasheet's figures, e.g. 4800 GB/s and 989 TFLOPS for an H200's BF16), or measured at
/// start-up for the CPU engine:
/// <list type="bullet">
/// <item>bandwidth: all cores read a 256 MiB buffer (beyond most CPUs' caches) with TensorPrimitives.Sum, best
/// of three passes. A decode step streams the weights read-only, so a read sweep is the fair yardstick; a
/// memcpy would mix in writes.</item>
/// <item>FLOPs: all cores run the engine's own kernel, TensorPrimitives.Dot, on vectors that stay in L1, each
/// core's best of three 20 ms windows, summed. That is the best the engine's code does on this CPU: an
/// achievable peak, below the nominal one.</item>
/// </list>
/// Both take about a quarter of a second, once per process. On a machine shared with other work both come out
/// low (and MBU/MFU high): give the flags where the figures matter.
/// </summary>
public sealed record DevicePeaks(double BandwidthBytesPerSecond, string BandwidthSource, double Flops, string FlopsSource)
{
    public const string FromFlag = "flag";
    public const string Measured = "measured";

    // The device does not change while the process runs: measured once, whatever number of hosts it builds.
    private static readonly Lazy<double> MeasuredBandwidth = new(() => MeasureReadBandwidth());
    private static readonly Lazy<double> MeasuredFlops = new(() => MeasureFlops(TimeSpan.FromMilliseconds(60)));

    /// <param name="gpu">The CUDA engine's own measurement of its GPU (copy bandwidth, bf16 GEMM rate); null for the CPU engine.</param>
    public static DevicePeaks Resolve(double? bandwidthGbps, double? tflops, Inference.Cuda.DevicePeakFigures? gpu = null) => new(
        bandwidthGbps is { } gbps ? gbps * 1e9 : gpu?.BandwidthBytesPerSecond ?? MeasuredBandwidth.Value,
        bandwidthGbps is null ? Measured : FromFlag,
        tflops is { } t ? t * 1e12 : gpu?.Flops ?? MeasuredFlops.Value,
        tflops is null ? Measured : FromFlag);

    /// <summary>Bytes per second that all cores together read from memory.</summary>
    /// <remarks>Native memory, freed at once: a managed buffer this size would stay resident until a full GC.</remarks>
    public static unsafe double MeasureReadBandwidth(int mebibytes = 256)
    {
        var workers = Environment.ProcessorCount;
        var chunk = mebibytes * (1L << 20) / sizeof(float) / workers;
        var buffer = (float*)NativeMemory.AlignedAlloc((nuint)(chunk * workers * sizeof(float)), 64);
        try
        {
            Parallel.For(0, workers, w => new Span<float>(buffer + w * chunk, (int)chunk).Fill(1f)); // touch every page first
            var best = double.MaxValue;
            var sink = 0f;
            for (var pass = 0; pass < 3; pass++)
            {
                var sums = new float[workers];
                var clock = Stopwatch.StartNew();
                Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers },
                    w => sums[w] = TensorPrimitives.Sum(new ReadOnlySpan<float>(buffer + w * chunk, (int)chunk)));
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
                sink += sums.Sum();
            }
            GC.KeepAlive(sink);
            return (double)chunk * workers * sizeof(float) / best;
        }
        finally
        {
            NativeMemory.AlignedFree(buffer);
        }
    }

    /// <summary>
    /// Floating-point operations per second of TensorPrimitives.Dot on all cores at once (one multiply-add = 2):
    /// each core's best of three windows, summed. Best-of, because a shared machine steals time now and then.
    /// </summary>
    public static double MeasureFlops(TimeSpan duration)
    {
        var workers = Environment.ProcessorCount;
        var rates = new double[workers];
        // Dedicated threads that start together, so that the cores really run at once.
        using var start = new Barrier(workers);
        var threads = Enumerable.Range(0, workers).Select(w => new Thread(() =>
        {
            start.SignalAndWait();
            rates[w] = BestDotRate(duration / 3);
        }) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        return rates.Sum();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double BestDotRate(TimeSpan window)
    {
        const int length = 1024;
        var a = new float[length];
        var b = new float[length];
        a.AsSpan().Fill(1.0001f);
        b.AsSpan().Fill(0.9999f);
        var sink = 0f;
        var best = 0.0;
        for (var pass = 0; pass < 3; pass++)
        {
            var started = Stopwatch.GetTimestamp();
            long dots = 0;
            TimeSpan elapsed;
            while ((elapsed = Stopwatch.GetElapsedTime(started)) < window)
            {
                for (var i = 0; i < 256; i++)
                    sink += TensorPrimitives.Dot(a, b);
                dots += 256;
            }
            best = Math.Max(best, dots * 2.0 * length / elapsed.TotalSeconds);
        }
        GC.KeepAlive(sink);
        return best;
    }
}
