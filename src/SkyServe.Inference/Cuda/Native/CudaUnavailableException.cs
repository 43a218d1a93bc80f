namespace SkyServe.Inference.Cuda.Native;

/// <summary>No usable NVIDIA GPU here: no driver library, no device, or the CUDA libraries the engine binds are missing.</summary>
public sealed class CudaUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
