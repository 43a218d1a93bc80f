using SkyServe.Controller.Hosting;

namespace SkyServe.Controller.Reconcile;

/// <summary>Wakes the reconcile loop early: after an API change, a notice, or a finished launch.</summary>
public sealed class ReconcileSignal : WakeSignal;
