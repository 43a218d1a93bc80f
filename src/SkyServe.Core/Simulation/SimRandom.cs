namespace SkyServe.Core.Simulation;

/// <summary>
/// A small seeded generator (SplitMix64) for the simulator's own draws: zone shuffles, random preemption victims,
/// request arrivals and service times. Each purpose gets its own stream (<see cref="Derive"/>), so that changing one
/// policy's decisions never shifts another's random numbers.
/// </summary>
public sealed class SimRandom(ulong seed)
{
    private ulong state = seed;

    /// <summary>An independent stream for <paramref name="purpose"/> under <paramref name="seed"/> (and optional indices).</summary>
    public static SimRandom Derive(long seed, string purpose, int a = 0, int b = 0)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in purpose)
        {
            hash ^= c;
            hash *= 0x100000001B3UL;
        }
        var mixed = Mix(Mix(Mix((ulong)seed) ^ hash) ^ (ulong)(uint)a) ^ ((ulong)(uint)b << 32);
        return new SimRandom(Mix(mixed));
    }

    public ulong NextUInt64()
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, <paramref name="count"/>).</summary>
    public int NextInt(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        return (int)(NextDouble() * count);
    }

    /// <summary>Exponentially distributed with the given mean.</summary>
    public double Exponential(double mean) => -mean * Math.Log(1.0 - NextDouble());

    /// <summary>Fisher–Yates, in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
