namespace SkyServe.Core.Simulation;

/// <summary>
/// The Mersenne Twister MT19937 (Matsumoto and Nishimura), seeded as NumPy's legacy <c>RandomState(seed)</c> seeds it
/// (<c>init_genrand</c>). <see cref="RandInt"/> draws like <c>RandomState.randint(0, high)</c>, so that with the same
/// seed the simulator's start offsets are exactly the ones the SpotHedge artifact's simulator drew.
/// </summary>
public sealed class Mt19937
{
    private const int N = 624;
    private const int M = 397;
    private readonly uint[] state = new uint[N];
    private int index;

    public Mt19937(uint seed)
    {
        state[0] = seed;
        for (var i = 1; i < N; i++)
            state[i] = unchecked(1812433253U * (state[i - 1] ^ (state[i - 1] >> 30)) + (uint)i);
        index = N;
    }

    public uint NextUInt32()
    {
        if (index >= N)
            Twist();
        var y = state[index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9D2C5680U;
        y ^= (y << 15) & 0xEFC60000U;
        y ^= y >> 18;
        return y;
    }

    /// <summary>
    /// An integer in [0, <paramref name="high"/>), as NumPy's legacy <c>randint(0, high)</c> draws it for a range below
    /// 2^32: 32-bit draws masked to the smallest power of two covering the range, rejected until they fall in it.
    /// </summary>
    public int RandInt(int high)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(high);
        var range = (uint)(high - 1);
        if (range == 0)
            return 0;
        var mask = range;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        uint value;
        do
            value = NextUInt32() & mask;
        while (value > range);
        return (int)value;
    }

    private void Twist()
    {
        for (var i = 0; i < N; i++)
        {
            var y = (state[i] & 0x80000000U) | (state[(i + 1) % N] & 0x7FFFFFFFU);
            var next = state[(i + M) % N] ^ (y >> 1);
            if ((y & 1) != 0)
                next ^= 0x9908B0DFU;
            state[i] = next;
        }
        index = 0;
    }
}
