using System.Diagnostics;
using SkyServe.Inference.Cuda.Native;

namespace SkyServe.Inference.Cuda;

/// <summary>
/// The GPU's measured ceilings, the denominators of MBU and MFU: device-to-device copy bandwidth (bytes read plus bytes
/// written per second, over 1 GiB copies) and the bf16 matrix rate of cuBLAS on an 8192³ product of random-looking data.
/// Best of several runs; about a quarter of a second at load.
/// </summary>
public sealed record DevicePeakFigures(double BandwidthBytesPerSecond, double Flops)
{
    internal static unsafe DevicePeakFigures Measure(CudaDevice device)
    {
        const long CopyBytes = 1L << 30;
        double bandwidth;
        using (var a = device.Allocate(CopyBytes, "the bandwidth probe"))
        using (var b = device.Allocate(CopyBytes, "the bandwidth probe"))
        {
            Driver.Check(Driver.cuMemsetD8(a.Pointer, 0x3c, (nuint)CopyBytes), "cuMemsetD8");
            Driver.Check(Driver.cuCtxSynchronize(), "cuCtxSynchronize"); // the engine's stream does not wait for the legacy one
            bandwidth = Best(device, 5, () => Driver.Check(Driver.cuMemcpyDtoDAsync(b.Pointer, a.Pointer, (nuint)CopyBytes, device.Stream), "cuMemcpyDtoDAsync"), 2.0 * CopyBytes);
        }

        const int N = 8192;
        const long MatrixBytes = (long)N * N * sizeof(ushort);
        double flops;
        using (var x = device.Allocate(MatrixBytes, "the FLOP/s probe"))
        using (var y = device.Allocate(MatrixBytes, "the FLOP/s probe"))
        using (var z = device.Allocate(MatrixBytes, "the FLOP/s probe"))
        {
            // 0x3c3c: a bf16 value near 0.0115 everywhere; not zeros, which tensor cores multiply faster.
            Driver.Check(Driver.cuMemsetD8(x.Pointer, 0x3c, (nuint)MatrixBytes), "cuMemsetD8");
            Driver.Check(Driver.cuMemsetD8(y.Pointer, 0x3c, (nuint)MatrixBytes), "cuMemsetD8");
            Driver.Check(Driver.cuCtxSynchronize(), "cuCtxSynchronize");
            flops = Best(device, 5, () => Gemm(device, x.Pointer, y.Pointer, z.Pointer, N), 2.0 * N * N * N);
        }
        return new DevicePeakFigures(bandwidth, flops);
    }

    private static unsafe void Gemm(CudaDevice device, nint x, nint y, nint z, int n)
    {
        float alpha = 1, beta = 0;
        CuBlas.Check(CuBlas.cublasGemmEx(device.Blas, CuBlas.OperationNone, CuBlas.OperationNone, n, n, n, &alpha, x, CuBlas.DataBFloat16, n,
            y, CuBlas.DataBFloat16, n, &beta, z, CuBlas.DataBFloat16, n, CuBlas.ComputeFloat32, CuBlas.GemmDefault), "cublasGemmEx");
    }

    /// <summary>The best rate of <paramref name="runs"/> timed groups of three launches, after one warm-up group.</summary>
    private static double Best(CudaDevice device, int runs, Action launch, double workPerLaunch)
    {
        var best = 0.0;
        for (var run = -1; run < runs; run++)
        {
            device.Synchronize();
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < 3; i++)
                launch();
            device.Synchronize();
            if (run >= 0)
                best = Math.Max(best, 3 * workPerLaunch / clock.Elapsed.TotalSeconds);
        }
        return best;
    }
}
