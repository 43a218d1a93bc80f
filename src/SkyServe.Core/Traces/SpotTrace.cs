using System.Collections.Immutable;

namespace SkyServe.Core.Traces;

/// <summary>
/// One zone's spot capacity over time: <c>Samples[i]</c> spot instances could be held during
/// [<c>i * GapSeconds</c>, <c>(i + 1) * GapSeconds</c>) seconds after the trace's start (see traces/README.md).
/// </summary>
/// <remarks>
/// Values are kept exactly as read. In an availability trace (<see cref="IsAvailabilityTrace"/>, all samples 0 or 1)
/// the paper's simulator reads 1 as "this zone has capacity, any amount": that reading is the consumer's choice,
/// so the flag is exposed and nothing is rewritten here.
/// </remarks>
public sealed record SpotTrace
{
    public SpotTrace(SpotTraceName name, int gapSeconds, IEnumerable<int> samples)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(samples);
        var values = samples.ToImmutableArray();
        if (gapSeconds <= 0)
            throw new SpotTraceException(name.FileName, $"gap_seconds must be positive, got {gapSeconds}");
        if (values.IsEmpty)
            throw new SpotTraceException(name.FileName, "the trace has no samples");
        for (var i = 0; i < values.Length; i++)
            if (values[i] < 0)
                throw new SpotTraceException(name.FileName, $"data[{i}] is {values[i]}: a capacity cannot be negative");

        TraceName = name;
        GapSeconds = gapSeconds;
        Samples = values;
        PeakCapacity = values.Max();
        IsAvailabilityTrace = values.All(v => v is 0 or 1);
    }

    public SpotTraceName TraceName { get; }

    /// <summary>e.g. <c>us-west-2c_v100_1.json</c>.</summary>
    public string FileName => TraceName.FileName;

    /// <summary>e.g. <c>us-west-2c_v100_1</c>: unique within a folder, where one zone may have several traces.</summary>
    public string Name => TraceName.Name;

    /// <summary>e.g. <c>us-west-2c</c>: the failure domain.</summary>
    public string Zone => TraceName.Zone;

    /// <summary>e.g. <c>v100</c>; null when the file name does not say.</summary>
    public string? Gpu => TraceName.Gpu;

    /// <summary>The count in the file name (see <see cref="SpotTraceName"/> for what it means); null when the name does not say.</summary>
    public int? NodeCount => TraceName.NodeCount;

    /// <summary>Seconds between two consecutive samples (<c>metadata.gap_seconds</c>).</summary>
    public int GapSeconds { get; }

    public ImmutableArray<int> Samples { get; }

    public int Length => Samples.Length;

    public TimeSpan Gap => TimeSpan.FromSeconds(GapSeconds);

    /// <summary>The time the samples cover: <see cref="Length"/> × <see cref="Gap"/>.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds((long)GapSeconds * Length);

    /// <summary>The largest sample.</summary>
    public int PeakCapacity { get; }

    /// <summary>Every sample is 0 or 1: a single-node availability trace, where 1 means "capacity available" (unlimited in the paper's simulator).</summary>
    public bool IsAvailabilityTrace { get; }

    /// <summary>
    /// The sample in force <paramref name="sinceStart"/> after the trace's start: sample <c>floor(t / gap)</c>.
    /// Past the end the last sample stays in force (a trace says nothing later, and its last state is the best guess).
    /// </summary>
    public int CapacityAt(TimeSpan sinceStart)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sinceStart, TimeSpan.Zero);
        var index = sinceStart.Ticks / (GapSeconds * TimeSpan.TicksPerSecond);
        return index >= Length ? Samples[^1] : Samples[(int)index];
    }

    /// <summary>
    /// The trace on a finer clock, as the paper's simulator reads it: each sample repeated <c>gap / tick</c> times.
    /// The gap must be a whole number of ticks, else ticks would straddle two samples.
    /// </summary>
    public ImmutableArray<int> ToTicks(int tickSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tickSeconds);
        if (GapSeconds % tickSeconds != 0)
            throw new ArgumentException(
                $"{FileName}: its gap_seconds {GapSeconds} is not a multiple of the {tickSeconds} s tick", nameof(tickSeconds));
        var repeat = GapSeconds / tickSeconds;
        var ticks = ImmutableArray.CreateBuilder<int>(checked(Length * repeat));
        foreach (var sample in Samples)
            for (var i = 0; i < repeat; i++)
                ticks.Add(sample);
        return ticks.MoveToImmutable();
    }

    /// <summary>Samples <c>start .. start + length - 1</c>, same name and gap (e.g. to align traces of different lengths).</summary>
    public SpotTrace Slice(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start + length, Length, nameof(length));
        return start == 0 && length == Length ? this : new SpotTrace(TraceName, GapSeconds, Samples.Slice(start, length));
    }

    public bool Equals(SpotTrace? other) =>
        other is not null && TraceName == other.TraceName && GapSeconds == other.GapSeconds && Samples.SequenceEqual(other.Samples);

    public override int GetHashCode() => HashCode.Combine(TraceName, GapSeconds, Length, Samples[0], Samples[^1]);

    public override string ToString() => $"{FileName} ({Length} samples every {GapSeconds} s, peak {PeakCapacity})";
}
