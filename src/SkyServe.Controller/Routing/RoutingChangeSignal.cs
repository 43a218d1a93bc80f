using SkyServe.Controller.Hosting;

namespace SkyServe.Controller.Routing;

/// <summary>
/// Wakes the routing table as soon as this controller writes replicas or services, so a READY-set change
/// reaches the load balancers without waiting for the next periodic recompute (which remains for changes
/// written by other controllers of a shared database).
/// </summary>
public sealed class RoutingChangeSignal : WakeSignal;
