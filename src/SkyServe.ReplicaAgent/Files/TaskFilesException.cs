namespace SkyServe.ReplicaAgent.Files;

/// <summary>A workdir or file mount could not be put in place; the message says which and why, for the replica's log.</summary>
public sealed class TaskFilesException(string message, Exception? inner = null) : Exception(message, inner);
