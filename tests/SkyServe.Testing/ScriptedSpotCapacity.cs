using SkyServe.Providers.Local;

namespace SkyServe.Testing;

/// <summary>Spot capacity the test sets by hand.</summary>
public sealed class ScriptedSpotCapacity(int capacity) : ISpotCapacity
{
    public int Capacity { get; set; } = capacity;

    public int CapacityAt(TimeSpan simulatedSinceStart) => Capacity;
}
