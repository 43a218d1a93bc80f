namespace SkyServe.Providers.Local;

/// <summary>How many spot machines a simulated zone can hold at a moment of simulated time.</summary>
public interface ISpotCapacity
{
    int CapacityAt(TimeSpan simulatedSinceStart);
}
