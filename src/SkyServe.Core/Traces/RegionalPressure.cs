namespace SkyServe.Core.Traces;

/// <summary>A region's shared capacity pressure: calm or stressed, with exponential dwell times. Mutable simulation state.</summary>
internal sealed class RegionalPressure(RandomSpotCapacityParameters parameters)
{
    public bool IsStressed { get; private set; }

    /// <summary>The region turned stressed in the latest step (zones may lose capacity at once).</summary>
    public bool TurnedStressed { get; private set; }

    /// <summary>The region turned calm in the latest step (dry zones may recover at once).</summary>
    public bool TurnedCalm { get; private set; }

    public void Step(Random random, double stepHours)
    {
        var meanHours = IsStressed ? parameters.MeanStressedHours : parameters.MeanCalmHours;
        var flips = RandomEvents.Happens(random, 1 / meanHours, stepHours);
        TurnedStressed = flips && !IsStressed;
        TurnedCalm = flips && IsStressed;
        if (flips)
            IsStressed = !IsStressed;
    }
}
