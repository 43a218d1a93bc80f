namespace SkyServe.Core.Policies;

public sealed record LaunchDecision(int Version, bool IsSpot, PlacementOption Option, string Reason);
