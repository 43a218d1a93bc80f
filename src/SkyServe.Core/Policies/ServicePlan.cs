namespace SkyServe.Core.Policies;

/// <summary>What the policies want done now. Executors carry it out; nothing here has been done yet.</summary>
/// <param name="TargetReplicas">N_tar: READY replicas the service should have.</param>
/// <param name="ServingVersions">Versions whose READY replicas receive traffic (blue-green switches this).</param>
public sealed record ServicePlan(
    int TargetReplicas,
    int SpotTarget,
    int OnDemandTarget,
    AutoscalerState Autoscaler,
    IReadOnlyList<LaunchDecision> Launches,
    IReadOnlyList<TerminateDecision> Terminations,
    IReadOnlySet<int> ServingVersions);
