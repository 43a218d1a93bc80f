namespace SkyServe.Providers.Local;

/// <summary>
/// Maps real time onto the simulated market's time: <c>(now − epoch) × compression + offset</c>.
/// The epoch is kept with the machines, so a restarted controller continues the same trace.
/// </summary>
public sealed record SimulatedClock(DateTimeOffset Epoch, double Compression)
{
    public TimeSpan SinceStart(DateTimeOffset now) => (now - Epoch) * Compression;
}
