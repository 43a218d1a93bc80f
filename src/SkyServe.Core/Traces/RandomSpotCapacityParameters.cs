namespace SkyServe.Core.Traces;

/// <summary>
/// The knobs of <see cref="RandomSpotCapacity"/>. The defaults were fitted by eye to the shared AWS traces (AWS1,
/// AWS2, AWS-2022-2zone: 14 zone traces of 263-649 h, measured with <see cref="TraceStatistics"/>; the figures are
/// printed by the tests in tests/SkyServe.Core.Tests/Traces):
/// <list type="bullet">
/// <item>Mean available stretch per trace 0.8-15 h (most 1-4.5 h), mean dry stretch 0.5-12 h (most 0.9-3.2 h), and
/// the share of dry time differs widely between zones (11%-88%). Hence plentiful ~4 h, dry ~1.5 h, exponential,
/// scaled per zone by a log-normal factor (<see cref="ZoneHeterogeneity"/>); regional stress (below) stretches both
/// tails. Generated traces land at 1.7-9.7 h available, 0.8-3.9 h dry, 9%-69% dry time.</item>
/// <item>Partial capacity (neither full nor zero) is rare in the multi-node traces, 3-17% of the time, in short
/// episodes, and most partial drops lose one instance (4 → 3 in AWS1, 16 → 15 or 14 in AWS2). Hence degraded
/// ~30 min and dips of ~15 min about every 5 h, one instance being the most common size. Generated: 6-12%.</item>
/// <item>Losses are correlated within a zone: in AWS1 (0..4) a third to a half of the drops lose 2 or more
/// instances at once; in AWS2 (0..16) the mean drop is 7-11 instances and 16 → 0 is the most common drop. Hence
/// 60% of the exits from plentiful lose everything at once. Drops per day: real 1.7-15, generated 6-10 (multi-node).</item>
/// <item>Zones of one region are mildly correlated: availability correlation 0.68 for AWS2's us-west-2a/2c, 0.3-0.56
/// for the same instance type in AWS-2022's us-west-2a/2b, about 0 across types or regions (one exception, 0.54).
/// Hence a shared calm (~9 h) / stressed (~3 h) pressure per region: under stress zones leave plentiful 4x as often
/// and stay dry 4x as long, and at each change of pressure 60% of the zones follow at once. Generated: 0.1-0.27 within
/// a region (mean 0.19 over seeds), about 0 across regions.</item>
/// </list>
/// Not modelled: the real traces' rare multi-day droughts (longest dry stretch 86 h in AWS1, 340 h in AWS-2022);
/// generated dry stretches are exponential and stay within about a day.
/// </summary>
public sealed record RandomSpotCapacityParameters
{
    /// <summary>Mean time at full capacity before capacity is lost (calm region, typical zone).</summary>
    public double MeanPlentifulHours { get; init; } = 4.0;

    /// <summary>Mean time at partial capacity (1 .. max-1), wandering, before recovering or going dry.</summary>
    public double MeanDegradedHours { get; init; } = 0.5;

    /// <summary>Mean time with no capacity at all (calm region, typical zone).</summary>
    public double MeanDryHours { get; init; } = 1.5;

    /// <summary>Share of exits from plentiful that lose everything at once (the rest go to degraded).</summary>
    public double PlentifulToDryShare { get; init; } = 0.6;

    /// <summary>Share of exits from degraded that end dry (the rest recover to plentiful).</summary>
    public double DegradedToDryShare { get; init; } = 0.4;

    /// <summary>Share of exits from dry that come back at full capacity (the rest come back partially).</summary>
    public double DryToPlentifulShare { get; init; } = 0.7;

    /// <summary>Brief losses of a few instances while plentiful, per hour.</summary>
    public double DipsPerHour { get; init; } = 0.2;

    public double MeanDipMinutes { get; init; } = 15;

    /// <summary>A dip takes up to this share of the zone's capacity (at least one instance, never all).</summary>
    public double MaxDipFraction { get; init; } = 0.5;

    /// <summary>How often the capacity of a degraded zone changes (up or down by up to a quarter of the maximum).</summary>
    public double DegradedChangesPerHour { get; init; } = 2.0;

    /// <summary>
    /// Standard deviation of the log of a per-zone factor that shortens plentiful and lengthens dry times
    /// (0: every zone alike). 0.6 spreads the zones' share of dry time roughly as widely as the real traces do.
    /// </summary>
    public double ZoneHeterogeneity { get; init; } = 0.6;

    /// <summary>Mean time a region's pressure stays calm.</summary>
    public double MeanCalmHours { get; init; } = 9;

    /// <summary>Mean time a region's pressure stays stressed.</summary>
    public double MeanStressedHours { get; init; } = 3;

    /// <summary>Under stress, zones leave plentiful this many times as often (and are hit at onset, see <see cref="PressureShiftHitProbability"/>).</summary>
    public double StressedExitMultiplier { get; init; } = 4;

    /// <summary>Under stress, dry stretches last this many times as long.</summary>
    public double StressedDryMultiplier { get; init; } = 4;

    /// <summary>
    /// Chance that a zone follows its region's pressure at once: when the region turns stressed, a zone holding capacity
    /// loses all of it (a correlated burst of preemptions); when it turns calm, a dry zone gets its capacity back.
    /// </summary>
    public double PressureShiftHitProbability { get; init; } = 0.6;

    /// <summary>Simulated time run before the first sample, so that the start looks like any other moment.</summary>
    public double BurnInHours { get; init; } = 24;

    /// <summary>The process's own time step (a whole fraction of the sample gap, at most this long).</summary>
    public int SimulationStepSeconds { get; init; } = 60;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first parameter out of range.</summary>
    public void Validate()
    {
        Positive(MeanPlentifulHours, nameof(MeanPlentifulHours));
        Positive(MeanDegradedHours, nameof(MeanDegradedHours));
        Positive(MeanDryHours, nameof(MeanDryHours));
        Share(PlentifulToDryShare, nameof(PlentifulToDryShare));
        Share(DegradedToDryShare, nameof(DegradedToDryShare));
        Share(DryToPlentifulShare, nameof(DryToPlentifulShare));
        NotNegative(DipsPerHour, nameof(DipsPerHour));
        Positive(MeanDipMinutes, nameof(MeanDipMinutes));
        Share(MaxDipFraction, nameof(MaxDipFraction));
        NotNegative(DegradedChangesPerHour, nameof(DegradedChangesPerHour));
        NotNegative(ZoneHeterogeneity, nameof(ZoneHeterogeneity));
        Positive(MeanCalmHours, nameof(MeanCalmHours));
        Positive(MeanStressedHours, nameof(MeanStressedHours));
        Positive(StressedExitMultiplier, nameof(StressedExitMultiplier));
        Positive(StressedDryMultiplier, nameof(StressedDryMultiplier));
        Share(PressureShiftHitProbability, nameof(PressureShiftHitProbability));
        NotNegative(BurnInHours, nameof(BurnInHours));
        if (SimulationStepSeconds <= 0)
            throw new ArgumentException($"{nameof(SimulationStepSeconds)} must be positive, got {SimulationStepSeconds}");
    }

    private static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new ArgumentException($"{name} must be a positive number, got {value}");
    }

    private static void NotNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentException($"{name} must be zero or more, got {value}");
    }

    private static void Share(double value, string name)
    {
        if (!(value is >= 0 and <= 1))
            throw new ArgumentException($"{name} must be between 0 and 1, got {value}");
    }
}
