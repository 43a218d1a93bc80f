using System.Runtime.InteropServices;

namespace SkyServe.Inference.Cuda.Native;

/// <summary>NVRTC: compiles the engine's CUDA C source to a cubin for the device at hand.</summary>
internal static unsafe partial class Nvrtc
{
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial int nvrtcVersion(out int major, out int minor);
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial int nvrtcCreateProgram(out nint program, [MarshalAs(UnmanagedType.LPUTF8Str)] string source,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string name, int headers, nint headerSources, nint headerNames);
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial int nvrtcCompileProgram(nint program, int optionCount, byte** options);
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial int nvrtcGetProgramLogSize(nint program, out nuint size);
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial int nvrtcGetProgramLog(nint program, byte* log);
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial int nvrtcGetCUBINSize(nint program, out nuint size);
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial int nvrtcGetCUBIN(nint program, byte* cubin);
    [LibraryImport(CudaLibraries.Nvrtc)] public static partial int nvrtcDestroyProgram(ref nint program);

    public static void Check(int result, string call)
    {
        if (result != 0)
            throw new CudaException($"{call} failed: NVRTC error {result}");
    }

    /// <summary>Compiles <paramref name="source"/> with <paramref name="options"/>; a compile error carries NVRTC's log.</summary>
    public static byte[] CompileToCubin(string source, string name, IReadOnlyList<string> options)
    {
        Check(nvrtcCreateProgram(out var program, source, name, 0, 0, 0), "nvrtcCreateProgram");
        try
        {
            var encoded = options.Select(o => System.Text.Encoding.UTF8.GetBytes(o + "\0")).ToArray();
            var handles = encoded.Select(bytes => GCHandle.Alloc(bytes, GCHandleType.Pinned)).ToArray();
            int result;
            try
            {
                var pointers = stackalloc byte*[encoded.Length];
                for (var i = 0; i < encoded.Length; i++)
                    pointers[i] = (byte*)handles[i].AddrOfPinnedObject();
                result = nvrtcCompileProgram(program, encoded.Length, pointers);
            }
            finally
            {
                foreach (var handle in handles)
                    handle.Free();
            }
            if (result != 0)
                throw new CudaException($"NVRTC could not compile {name} (error {result}):\n{Log(program)}");
            Check(nvrtcGetCUBINSize(program, out var size), "nvrtcGetCUBINSize");
            var cubin = new byte[(int)size];
            fixed (byte* pointer = cubin)
                Check(nvrtcGetCUBIN(program, pointer), "nvrtcGetCUBIN");
            return cubin;
        }
        finally
        {
            nvrtcDestroyProgram(ref program);
        }
    }

    private static string Log(nint program)
    {
        if (nvrtcGetProgramLogSize(program, out var size) != 0 || size <= 1)
            return "";
        var log = new byte[(int)size];
        fixed (byte* pointer = log)
            nvrtcGetProgramLog(program, pointer);
        return System.Text.Encoding.UTF8.GetString(log, 0, log.Length - 1);
    }
}
