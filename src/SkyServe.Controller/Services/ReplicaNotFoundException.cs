namespace SkyServe.Controller.Services;

public sealed class ReplicaNotFoundException(string service, int replicaId)
    : Exception($"service '{service}' has no replica {replicaId}");
