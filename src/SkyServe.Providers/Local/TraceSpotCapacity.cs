using SkyServe.Core.Traces;

namespace SkyServe.Providers.Local;

/// <summary>
/// Capacity that follows a spot trace from <paramref name="offset"/> on, looping at the end so that a
/// long-running local system never runs out of trace. In 0/1 availability traces a 1 means "has
/// capacity" and is taken as unlimited, as the SpotHedge paper's simulator does.
/// </summary>
public sealed class TraceSpotCapacity(SpotTrace trace, TimeSpan offset) : ISpotCapacity
{
    public SpotTrace Trace { get; } = trace;

    public int CapacityAt(TimeSpan simulatedSinceStart)
    {
        var samples = Trace.Samples;
        var index = (long)Math.Floor((simulatedSinceStart + offset).TotalSeconds / Trace.GapSeconds);
        var value = samples[(int)(((index % samples.Length) + samples.Length) % samples.Length)];
        return Trace.IsAvailabilityTrace && value > 0 ? int.MaxValue : value;
    }
}
