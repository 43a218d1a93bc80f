using System.Runtime.InteropServices;
using SkyServe.Inference.Cuda.Native;

namespace SkyServe.Inference.Cuda;

/// <summary>
/// One GPU as the engine uses it: its primary context, one stream every call is ordered on, a cuBLAS handle bound to that
/// stream with a fixed workspace (so its calls can be captured in CUDA graphs), and device allocations.
/// </summary>
internal sealed unsafe class CudaDevice : IDisposable
{
    private const long BlasWorkspaceBytes = 64L << 20;
    private readonly DeviceBuffer blasWorkspace;
    private bool disposed;

    private CudaDevice(int ordinal, nint context)
    {
        Ordinal = ordinal;
        Context = context;
        Driver.Check(Driver.cuDeviceGetAttribute(out var major, Driver.AttributeComputeCapabilityMajor, ordinal), "cuDeviceGetAttribute");
        Driver.Check(Driver.cuDeviceGetAttribute(out var minor, Driver.AttributeComputeCapabilityMinor, ordinal), "cuDeviceGetAttribute");
        Driver.Check(Driver.cuDeviceGetAttribute(out var sms, Driver.AttributeMultiprocessorCount, ordinal), "cuDeviceGetAttribute");
        ComputeCapability = (major, minor);
        Multiprocessors = sms;
        var name = stackalloc byte[256];
        Driver.Check(Driver.cuDeviceGetName(name, 256, ordinal), "cuDeviceGetName");
        Name = Marshal.PtrToStringUTF8((nint)name) ?? "GPU";
        Driver.Check(Driver.cuStreamCreate(out var stream, Driver.StreamNonBlocking), "cuStreamCreate");
        Stream = stream;
        CuBlas.Check(CuBlas.cublasCreate(out var blas), "cublasCreate");
        Blas = blas;
        CuBlas.Check(CuBlas.cublasSetStream(blas, stream), "cublasSetStream");
        blasWorkspace = Allocate(BlasWorkspaceBytes, "the cuBLAS workspace");
        CuBlas.Check(CuBlas.cublasSetWorkspace(blas, blasWorkspace.Pointer, (nuint)BlasWorkspaceBytes), "cublasSetWorkspace");
    }

    public int Ordinal { get; }
    public nint Context { get; }
    public nint Stream { get; }
    public nint Blas { get; }
    public string Name { get; }
    public (int Major, int Minor) ComputeCapability { get; }
    public int Multiprocessors { get; }

    /// <summary>
    /// Opens device <paramref name="ordinal"/>, or throws <see cref="CudaUnavailableException"/> saying what is missing: the
    /// driver library, a device, NVRTC or cuBLAS.
    /// </summary>
    public static CudaDevice Open(int ordinal = 0)
    {
        CudaLibraries.Register();
        CudaLibraries.Load(CudaLibraries.Driver);
        var init = Driver.cuInit(0);
        if (init != 0)
            throw new CudaUnavailableException($"the CUDA driver did not start (cuInit returned {init}): no usable NVIDIA GPU or driver on this machine");
        Driver.Check(Driver.cuDeviceGetCount(out var count), "cuDeviceGetCount");
        if (ordinal >= count)
            throw new CudaUnavailableException(count == 0 ? "the CUDA driver sees no GPU on this machine" : $"GPU {ordinal} does not exist; the CUDA driver sees {count}");
        CudaLibraries.Load(CudaLibraries.Nvrtc);
        CudaLibraries.Load(CudaLibraries.Blas);
        Driver.Check(Driver.cuDeviceGet(out var device, ordinal), "cuDeviceGet");
        Driver.Check(Driver.cuDevicePrimaryCtxRetain(out var context, device), "cuDevicePrimaryCtxRetain");
        Driver.Check(Driver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
        return new CudaDevice(device, context);
    }

    /// <summary>Binds the context to the calling thread; every entry point calls it first (the batcher runs on its own thread).</summary>
    public void MakeCurrent() => Driver.Check(Driver.cuCtxSetCurrent(Context), "cuCtxSetCurrent");

    public (long Free, long Total) Memory()
    {
        Driver.Check(Driver.cuMemGetInfo(out var free, out var total), "cuMemGetInfo");
        return ((long)free, (long)total);
    }

    /// <summary>Device memory for <paramref name="what"/>; running out says how much was asked and how much is free.</summary>
    public DeviceBuffer Allocate(long bytes, string what)
    {
        var result = Driver.cuMemAlloc(out var pointer, (nuint)Math.Max(bytes, 1));
        if (result == 2) // CUDA_ERROR_OUT_OF_MEMORY
        {
            var (free, total) = Memory();
            throw new CudaModelDoesNotFitException($"the model does not fit: {what} needs {bytes / 1e9:0.00} GB and the GPU has {free / 1e9:0.00} of {total / 1e9:0.00} GB free");
        }
        Driver.Check(result, $"cuMemAlloc ({what})");
        return new DeviceBuffer(pointer, bytes);
    }

    public void Synchronize() => Driver.Check(Driver.cuStreamSynchronize(Stream), "cuStreamSynchronize");

    public void Dispose()
    {
        if (disposed)
            return;
        disposed = true;
        MakeCurrent();
        Synchronize();
        blasWorkspace.Dispose();
        CuBlas.cublasDestroy(Blas);
        Driver.cuStreamDestroy(Stream);
        Driver.cuDevicePrimaryCtxRelease(Ordinal);
    }
}

/// <summary>A device allocation, freed on dispose.</summary>
internal sealed class DeviceBuffer(nint pointer, long bytes) : IDisposable
{
    public nint Pointer { get; private set; } = pointer;
    public long Bytes { get; } = bytes;

    public void Dispose()
    {
        if (Pointer != 0)
            Driver.cuMemFree(Pointer);
        Pointer = 0;
    }
}

/// <summary>Page-locked host memory: what asynchronous copies to and from the device need.</summary>
internal sealed unsafe class PinnedBuffer : IDisposable
{
    public PinnedBuffer(long bytes)
    {
        Driver.Check(Driver.cuMemAllocHost(out var pointer, (nuint)Math.Max(bytes, 1)), "cuMemAllocHost");
        Pointer = pointer;
        Bytes = bytes;
    }

    public nint Pointer { get; private set; }
    public long Bytes { get; }

    public Span<T> AsSpan<T>(long byteOffset, int count) where T : unmanaged => new((void*)(Pointer + (nint)byteOffset), count);

    public void Dispose()
    {
        if (Pointer != 0)
            Driver.cuMemFreeHost(Pointer);
        Pointer = 0;
    }
}
