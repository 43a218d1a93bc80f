namespace SkyServe.Cloud.Emulators;

/// <summary>
/// An emulator's clock: real time plus an offset that a test moves forward, so that operations progress on their own
/// while a test can still skip a preemption's 30 seconds at once.
/// </summary>
public sealed class OffsetClock : TimeProvider
{
    private long offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref offsetTicks, by.Ticks);
}
