namespace SkyServe.Inference.Model;

/// <summary>
/// Keys (after rotary embedding) and values per layer as [position, kvHeads * headDim] row-major arrays,
/// grown by doubling so a long decode copies O(length) in total.
/// </summary>
public sealed class CpuKvCache : KvCache
{
    private const int InitialCapacity = 32;

    private readonly int keyValueDim;
    private readonly float[][] keys;
    private readonly float[][] values;
    private int length;

    internal CpuKvCache(object owner, int layers, int keyValueDim)
    {
        Owner = owner;
        this.keyValueDim = keyValueDim;
        keys = new float[layers][];
        values = new float[layers][];
        for (var layer = 0; layer < layers; layer++)
        {
            keys[layer] = [];
            values[layer] = [];
        }
    }

    public override int Length => length;

    /// <summary>Positions that fit without growing.</summary>
    public int Capacity => keys.Length == 0 ? int.MaxValue : keys[0].Length / keyValueDim;

    /// <summary>The model whose layout this cache has; another model's cache is refused.</summary>
    internal object Owner { get; }

    internal float[] Keys(int layer) => keys[layer];

    internal float[] Values(int layer) => values[layer];

    internal void EnsureCapacity(int positions)
    {
        if (positions <= Capacity)
            return;
        var capacity = Math.Max(positions, Math.Max(InitialCapacity, Capacity * 2));
        for (var layer = 0; layer < keys.Length; layer++)
        {
            keys[layer] = Grow(keys[layer], capacity);
            values[layer] = Grow(values[layer], capacity);
        }
    }

    /// <summary>Called once a step has written every layer: the new positions become visible.</summary>
    internal void Commit(int newLength) => length = newLength;

    private float[] Grow(float[] current, int capacity)
    {
        var grown = new float[(long)capacity * keyValueDim];
        current.AsSpan(0, length * keyValueDim).CopyTo(grown);
        return grown;
    }
}
