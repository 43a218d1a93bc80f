namespace SkyServe.Core.Hosting;

/// <summary>
/// Exponential back-off, the one every retry loop uses: after the first failure in a row wait <see cref="First"/>, after
/// the n-th <c>First · Factor^(n-1)</c>, never more than <see cref="Max"/> (a <see cref="First"/> above the cap is cut to
/// it); a success starts over (<see cref="Reset"/>). A loop keeps its own instance (it is not thread-safe); code that
/// counts failures itself asks <see cref="DelayAfter"/>, which has no state.
/// </summary>
public sealed class Backoff
{
    // Past this many doublings every cap a TimeSpan can hold is reached; the exponent stays finite.
    private const int MaxExponent = 64;

    /// <param name="first">The wait after the first failure; zero or more.</param>
    /// <param name="max">The longest wait; zero or more.</param>
    /// <param name="factor">How much longer each wait is than the one before; at least 1.</param>
    public Backoff(TimeSpan first, TimeSpan max, double factor = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(first, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, TimeSpan.Zero);
        if (!(factor >= 1) || double.IsInfinity(factor))
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "the factor must be a finite number of at least 1");
        First = first;
        Max = max;
        Factor = factor;
    }

    public TimeSpan First { get; }
    public TimeSpan Max { get; }
    public double Factor { get; }

    /// <summary>Failures since the start or the last <see cref="Reset"/>.</summary>
    public int Failures { get; private set; }

    /// <summary>Counts one more failure and returns how long to wait before the next try.</summary>
    public TimeSpan Next()
    {
        if (Failures < int.MaxValue)
            Failures++;
        return DelayAfter(Failures);
    }

    /// <summary>After a success: the next failure waits <see cref="First"/> again.</summary>
    public void Reset() => Failures = 0;

    /// <summary>The wait after <paramref name="failures"/> failures in a row: zero for none, <see cref="First"/> for one, ...</summary>
    public TimeSpan DelayAfter(int failures)
    {
        if (failures <= 0 || First == TimeSpan.Zero)
            return TimeSpan.Zero;
        var ticks = First.Ticks * Math.Pow(Factor, Math.Min(failures - 1, MaxExponent));
        return ticks >= Max.Ticks ? Max : TimeSpan.FromTicks((long)ticks);
    }
}
