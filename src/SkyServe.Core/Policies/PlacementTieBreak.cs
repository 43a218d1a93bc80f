namespace SkyServe.Core.Policies;

/// <summary>
/// A seeded, pure tie-break between equally good locations: the same seed, moment, launch ordinal and location
/// always give the same key, and different moments or ordinals shuffle the order afresh. Without one, ties go to the
/// location that sorts first. The simulator passes one so that SpotHedge picks at random among equally cheap ACTIVE
/// locations, as the paper's simulator does (SkyPilot picks the cheapest, and equal prices are a tie).
/// </summary>
public sealed record PlacementTieBreak(ulong Seed)
{
    /// <summary>A key in [0, 1): order candidates by it to break a tie.</summary>
    public double Key(Location location, DateTimeOffset now, int ordinal)
    {
        var hash = Mix(Seed ^ Mix((ulong)now.UtcTicks) ^ Mix(0x9E3779B97F4A7C15UL * (ulong)(ordinal + 1)) ^ Fnv(location.ToString()));
        return (hash >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>SplitMix64's finaliser: a bijective, well-mixing 64-bit hash.</summary>
    internal static ulong Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    /// <summary>FNV-1a over the UTF-16 code units: stable across processes, unlike <see cref="string.GetHashCode()"/>.</summary>
    private static ulong Fnv(string text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 0x100000001B3UL;
        }
        return hash;
    }
}
