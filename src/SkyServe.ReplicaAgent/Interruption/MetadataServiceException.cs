namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>The metadata service answered, but not as its format says it should.</summary>
public sealed class MetadataServiceException(string message, Exception? inner = null) : Exception(message, inner);
