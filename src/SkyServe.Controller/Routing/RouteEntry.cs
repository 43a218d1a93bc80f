using SkyServe.Contracts.Routing;

namespace SkyServe.Controller.Routing;

/// <summary>One service's routes as the table last computed them.</summary>
/// <param name="Fingerprint">A hash of <paramref name="View"/>'s wire form: a recompute that yields the same one changes nothing.</param>
/// <param name="Revision">The table revision at which this entry last changed.</param>
internal sealed record RouteEntry(long ServiceId, ServiceRoutesView View, string Fingerprint, long Revision);

/// <summary>A service no longer routed (deleted or shutting down), remembered so that deltas can name it.</summary>
internal sealed record RemovedService(long Revision, DateTimeOffset At);
