namespace SkyServe.Core.Metrics;

/// <summary>A monotonically increasing count (a Prometheus counter), safe to add to from any thread.</summary>
public sealed class Counter
{
    private long bits; // a double, kept as bits for Interlocked

    public double Value => BitConverter.Int64BitsToDouble(Interlocked.Read(ref bits));

    public void Add(double amount)
    {
        if (amount < 0 || double.IsNaN(amount))
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "a counter only goes up");
        long seen, next;
        do
        {
            seen = Interlocked.Read(ref bits);
            next = BitConverter.DoubleToInt64Bits(BitConverter.Int64BitsToDouble(seen) + amount);
        }
        while (Interlocked.CompareExchange(ref bits, next, seen) != seen);
    }
}

/// <summary>
/// A Prometheus histogram: cumulative counts per upper bound (le), plus the sum and count of all observations.
/// Observations lock briefly; they come a few per request, never per token in a hot loop.
/// </summary>
public sealed class Histogram(IReadOnlyList<double> upperBounds)
{
    private readonly double[] bounds = [.. upperBounds];
    private readonly long[] counts = new long[upperBounds.Count + 1]; // the last one is +Inf
    private readonly Lock gate = new();
    private double sum;
    private long count;

    public void Observe(double value)
    {
        var bucket = Array.FindIndex(bounds, b => value <= b);
        lock (gate)
        {
            counts[bucket < 0 ? bounds.Length : bucket]++;
            sum += value;
            count++;
        }
    }

    public void WriteTo(PrometheusText text, string name, params (string Name, string Value)[] labels)
    {
        long[] snapshot;
        double total;
        long observations;
        lock (gate)
        {
            snapshot = [.. counts];
            total = sum;
            observations = count;
        }
        long cumulative = 0;
        for (var i = 0; i <= bounds.Length; i++)
        {
            cumulative += snapshot[i];
            var le = i < bounds.Length ? PrometheusText.Number(bounds[i]) : "+Inf";
            text.Sample(name + "_bucket", cumulative, [.. labels, ("le", le)]);
        }
        text.Sample(name + "_sum", total, labels);
        text.Sample(name + "_count", observations, labels);
    }
}
