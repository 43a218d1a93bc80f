namespace SkyServe.Core.Traces;

/// <summary>Draws for a process advanced in fixed time steps.</summary>
internal static class RandomEvents
{
    /// <summary>Whether an event of a Poisson process with <paramref name="ratePerHour"/> falls in a step (exponential dwell times).</summary>
    public static bool Happens(Random random, double ratePerHour, double stepHours) =>
        random.NextDouble() < 1.0 - Math.Exp(-ratePerHour * stepHours);

    public static bool Chance(Random random, double probability) => random.NextDouble() < probability;

    /// <summary>A standard normal draw (Box-Muller).</summary>
    public static double StandardNormal(Random random)
    {
        var u = 1.0 - random.NextDouble();
        var v = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }
}
