using System.Runtime.InteropServices;

namespace SkyServe.Inference.Cuda.Native;

/// <summary>cuBLAS: the matrix products of prefill and larger batches (bf16 inputs, float32 accumulation).</summary>
internal static unsafe partial class CuBlas
{
    public const int OperationNone = 0;
    public const int OperationTranspose = 1;
    public const int DataBFloat16 = 14; // CUDA_R_16BF
    public const int DataFloat32 = 0; // CUDA_R_32F
    public const int ComputeFloat32 = 68; // CUBLAS_COMPUTE_32F
    public const int GemmDefault = -1;

    [LibraryImport(CudaLibraries.Blas, EntryPoint = "cublasCreate_v2")] public static partial int cublasCreate(out nint handle);
    [LibraryImport(CudaLibraries.Blas, EntryPoint = "cublasDestroy_v2")] public static partial int cublasDestroy(nint handle);
    [LibraryImport(CudaLibraries.Blas, EntryPoint = "cublasSetStream_v2")] public static partial int cublasSetStream(nint handle, nint stream);
    [LibraryImport(CudaLibraries.Blas, EntryPoint = "cublasSetWorkspace_v2")] public static partial int cublasSetWorkspace(nint handle, nint workspace, nuint bytes);
    [LibraryImport(CudaLibraries.Blas, EntryPoint = "cublasGetVersion_v2")] public static partial int cublasGetVersion(nint handle, out int version);
    [LibraryImport(CudaLibraries.Blas)] public static partial int cublasGemmEx(nint handle, int transA, int transB, int m, int n, int k,
        float* alpha, nint a, int aType, int lda, nint b, int bType, int ldb, float* beta, nint c, int cType, int ldc, int computeType, int algorithm);

    public static void Check(int status, string call)
    {
        if (status != 0)
            throw new CudaException($"{call} failed: cuBLAS status {status}");
    }
}
