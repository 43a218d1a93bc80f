using System.Collections.Immutable;
using SkyServe.Core.Policies;

namespace SkyServe.Core.Simulation;

/// <summary>
/// One failure domain of a scenario: its location and its spot capacity per tick over the whole trace
/// (<see cref="UnlimitedCapacity"/> where an availability trace says "available").
/// </summary>
public sealed record SimZone(string Name, Location Location, ImmutableArray<int> Capacity)
{
    /// <summary>What "capacity available, any amount" is stored as.</summary>
    public const int UnlimitedCapacity = 1_000_000_000;
}
