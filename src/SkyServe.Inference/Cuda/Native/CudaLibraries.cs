using System.Reflection;
using System.Runtime.InteropServices;

namespace SkyServe.Inference.Cuda.Native;

/// <summary>
/// Finds the CUDA libraries the engine binds: the driver (libcuda, from the NVIDIA driver), NVRTC and cuBLAS (from a CUDA
/// toolkit, or the nvidia-* Python wheels that PyTorch installs). Searched in SKYSERVE_CUDA_LIBRARY_PATH (colon-separated
/// folders), then the loader's own path, then the usual toolkit folders; CUDA 13 first, then 12.
/// </summary>
internal static class CudaLibraries
{
    public const string Driver = "skyserve-cuda";
    public const string Nvrtc = "skyserve-nvrtc";
    public const string Blas = "skyserve-cublas";
    public const string PathVariable = "SKYSERVE_CUDA_LIBRARY_PATH";

    private static readonly Dictionary<string, string[]> FileNames = new()
    {
        [Driver] = ["libcuda.so.1", "libcuda.so"],
        [Nvrtc] = ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"],
        [Blas] = ["libcublas.so.13", "libcublas.so.12", "libcublas.so"],
    };

    private static int registered;

    /// <summary>Installs the resolver for this assembly's CUDA imports (once).</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref registered, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(CudaLibraries).Assembly, Resolve);
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (!FileNames.TryGetValue(name, out var files))
            return 0;
        try
        {
            return Load(name);
        }
        catch (CudaUnavailableException)
        {
            return 0; // the runtime's DllNotFoundException follows; CudaDevice.Open loads each library first and says which is missing
        }
    }

    /// <summary>Loads a library by its logical name, or says which files were tried.</summary>
    public static nint Load(string name)
    {
        var files = FileNames[name];
        foreach (var folder in Folders())
            foreach (var file in files)
            {
                var path = folder is null ? file : Path.Combine(folder, file);
                if ((folder is null || File.Exists(path)) && NativeLibrary.TryLoad(path, out var handle))
                    return handle;
            }
        throw new CudaUnavailableException($"{string.Join(" or ", files)} was not found (searched {PathVariable}, the loader's path and the CUDA toolkit's folders)");
    }

    private static IEnumerable<string?> Folders()
    {
        foreach (var folder in (Environment.GetEnvironmentVariable(PathVariable) ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            yield return folder;
        yield return null; // the dynamic loader's own search (LD_LIBRARY_PATH, ld.so.cache)
        var cudaHome = Environment.GetEnvironmentVariable("CUDA_HOME") ?? Environment.GetEnvironmentVariable("CUDA_PATH");
        if (cudaHome is not null)
            yield return Path.Combine(cudaHome, "lib64");
        yield return "/usr/local/cuda/lib64";
        yield return "/usr/local/cuda/targets/x86_64-linux/lib";
        yield return "/usr/local/nvidia/lib64";
        yield return "/usr/lib/x86_64-linux-gnu";
        foreach (var wheel in WheelFolders())
            yield return wheel;
    }

    /// <summary>lib folders of NVIDIA's Python wheels (nvidia/cu13/lib, nvidia/cublas/lib, ...) in common environments.</summary>
    private static IEnumerable<string> WheelFolders()
    {
        string[] roots = ["/opt", "/usr/local/lib", "/usr/lib", Environment.GetFolderPath(Environment.SpecialFolder.UserProfile)];
        var found = new List<string>();
        foreach (var root in roots.Where(Directory.Exists))
        {
            try
            {
                foreach (var site in Directory.EnumerateDirectories(root, "site-packages", new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 5, IgnoreInaccessible = true }))
                {
                    var nvidia = Path.Combine(site, "nvidia");
                    if (!Directory.Exists(nvidia))
                        continue;
                    found.AddRange(Directory.EnumerateDirectories(nvidia).Select(d => Path.Combine(d, "lib")).Where(Directory.Exists).OrderByDescending(d => d, StringComparer.Ordinal));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return found;
    }
}
