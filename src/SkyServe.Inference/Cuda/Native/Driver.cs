using System.Runtime.InteropServices;

namespace SkyServe.Inference.Cuda.Native;

/// <summary>The CUDA driver API calls the engine makes (cuda.h; the _v2 names are what the header's macros bind).</summary>
internal static unsafe partial class Driver
{
    public const int AttributeMultiprocessorCount = 16;
    public const int AttributeComputeCapabilityMajor = 75;
    public const int AttributeComputeCapabilityMinor = 76;
    public const int StreamCaptureModeRelaxed = 2;
    public const int StreamNonBlocking = 1;

    [LibraryImport(CudaLibraries.Driver)] public static partial int cuInit(uint flags);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuDriverGetVersion(out int version);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuDeviceGetCount(out int count);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuDeviceGet(out int device, int ordinal);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuDeviceGetName(byte* name, int length, int device);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuDeviceGetAttribute(out int value, int attribute, int device);
    [LibraryImport(CudaLibraries.Driver, EntryPoint = "cuDeviceTotalMem_v2")] public static partial int cuDeviceTotalMem(out nuint bytes, int device);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuDevicePrimaryCtxRetain(out nint context, int device);
    [LibraryImport(CudaLibraries.Driver, EntryPoint = "cuDevicePrimaryCtxRelease_v2")] public static partial int cuDevicePrimaryCtxRelease(int device);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuCtxSetCurrent(nint context);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuCtxSynchronize();
    [LibraryImport(CudaLibraries.Driver, EntryPoint = "cuMemGetInfo_v2")] public static partial int cuMemGetInfo(out nuint free, out nuint total);
    [LibraryImport(CudaLibraries.Driver, EntryPoint = "cuMemAlloc_v2")] public static partial int cuMemAlloc(out nint pointer, nuint bytes);
    [LibraryImport(CudaLibraries.Driver, EntryPoint = "cuMemFree_v2")] public static partial int cuMemFree(nint pointer);
    [LibraryImport(CudaLibraries.Driver, EntryPoint = "cuMemAllocHost_v2")] public static partial int cuMemAllocHost(out nint pointer, nuint bytes);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuMemFreeHost(nint pointer);
    [LibraryImport(CudaLibraries.Driver, EntryPoint = "cuMemcpyHtoD_v2")] public static partial int cuMemcpyHtoD(nint destination, void* source, nuint bytes);
    [LibraryImport(CudaLibraries.Driver, EntryPoint = "cuMemcpyHtoDAsync_v2")] public static partial int cuMemcpyHtoDAsync(nint destination, void* source, nuint bytes, nint stream);
    [LibraryImport(CudaLibraries.Driver, EntryPoint = "cuMemcpyDtoHAsync_v2")] public static partial int cuMemcpyDtoHAsync(void* destination, nint source, nuint bytes, nint stream);
    [LibraryImport(CudaLibraries.Driver, EntryPoint = "cuMemcpyDtoDAsync_v2")] public static partial int cuMemcpyDtoDAsync(nint destination, nint source, nuint bytes, nint stream);
    [LibraryImport(CudaLibraries.Driver, EntryPoint = "cuMemsetD8_v2")] public static partial int cuMemsetD8(nint destination, byte value, nuint count);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuStreamCreate(out nint stream, uint flags);
    [LibraryImport(CudaLibraries.Driver, EntryPoint = "cuStreamDestroy_v2")] public static partial int cuStreamDestroy(nint stream);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuStreamSynchronize(nint stream);
    [LibraryImport(CudaLibraries.Driver, EntryPoint = "cuStreamBeginCapture_v2")] public static partial int cuStreamBeginCapture(nint stream, int mode);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuStreamEndCapture(nint stream, out nint graph);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuGraphInstantiateWithFlags(out nint executable, nint graph, ulong flags);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuGraphLaunch(nint executable, nint stream);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuGraphDestroy(nint graph);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuGraphExecDestroy(nint executable);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuModuleLoadData(out nint module, void* image);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuModuleUnload(nint module);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuModuleGetFunction(out nint function, nint module, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuLaunchKernel(nint function, uint gridX, uint gridY, uint gridZ,
        uint blockX, uint blockY, uint blockZ, uint sharedBytes, nint stream, void** parameters, void** extra);
    [LibraryImport(CudaLibraries.Driver)] public static partial int cuGetErrorName(int error, out byte* name);

    /// <summary>Throws <see cref="CudaException"/> naming the call and the driver's error name unless it succeeded.</summary>
    public static void Check(int result, string call)
    {
        if (result == 0)
            return;
        var name = cuGetErrorName(result, out var text) == 0 && text != null ? Marshal.PtrToStringUTF8((nint)text) : null;
        throw new CudaException($"{call} failed: {name ?? "error"} ({result})");
    }
}
