namespace SkyServe.Core.Policies;

/// <summary>One <see cref="LocationEvent"/> in one location.</summary>
public sealed record LocationObservation(Location Location, LocationEvent Event);
