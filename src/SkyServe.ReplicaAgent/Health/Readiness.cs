namespace SkyServe.ReplicaAgent.Health;

/// <summary>Whether the replica should receive traffic, and if not, why (a short code and words for people).</summary>
public sealed record Readiness(bool IsReady, string? Reason = null, string? Detail = null)
{
    public static readonly Readiness Ready = new(true);
}
