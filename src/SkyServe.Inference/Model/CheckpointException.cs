namespace SkyServe.Inference.Model;

/// <summary>A model folder that cannot be loaded: a corrupt or truncated file, an unsupported dtype, a missing tensor or setting.</summary>
public sealed class CheckpointException(string message, Exception? inner = null) : Exception(message, inner);
