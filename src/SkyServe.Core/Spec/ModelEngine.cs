namespace SkyServe.Core.Spec;

/// <summary>The ReplicaAgent's built-in inference engine chosen by <c>model.engine</c>.</summary>
public enum ModelEngine
{
    /// <summary><c>cpu</c>: managed code; runs anywhere, so it is the default.</summary>
    Cpu,
    /// <summary><c>cuda</c>: CUDA driver API + cuBLAS on an NVIDIA GPU.</summary>
    Cuda,
}
