namespace SkyServe.Controller.Api;

/// <summary>A request the controller passes on to a replica's agent could not be served: the status and title say why.</summary>
public sealed class ReplicaAgentException(int status, string title, string message) : Exception(message)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
}
