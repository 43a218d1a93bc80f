namespace SkyServe.Core.Policies;

/// <summary>
/// The autoscaler's memory between decisions: the target in force, and a different target that has been
/// wanted since <see cref="PendingSince"/> (applied once it has persisted for the up/down delay).
/// </summary>
public sealed record AutoscalerState(int Target, int? PendingTarget = null, DateTimeOffset? PendingSince = null)
{
    public static AutoscalerState Initial(int target) => new(target);
}
