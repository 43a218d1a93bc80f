namespace SkyServe.Inference.Cuda.Native;

/// <summary>A CUDA, NVRTC or cuBLAS call failed: which call, and the library's name for the error.</summary>
public sealed class CudaException(string message) : Exception(message);
