using System.Numerics;
using System.Runtime.CompilerServices;

namespace SkyServe.Inference.Model;

/// <summary>How the matrix kernels read one weight element type as float32 vectors.</summary>
internal interface IWeightFormat<T> where T : unmanaged
{
    /// <summary>Vector&lt;float&gt;.Count values from <paramref name="index"/> on, as float32.</summary>
    static abstract Vector<float> Load(ref T row, int index);

    static abstract float LoadScalar(ref T row, int index);
}

internal readonly struct Float32Weights : IWeightFormat<float>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Load(ref float row, int index) => Vector.LoadUnsafe(ref row, (nuint)index);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LoadScalar(ref float row, int index) => Unsafe.Add(ref row, index);
}

/// <summary>bfloat16 widened exactly: its 16 bits become the upper half of a float32. Reads a whole Vector&lt;ushort&gt; and uses its lower half (see <see cref="WeightMatrix.BFloat16Padding"/>).</summary>
internal readonly struct BFloat16Weights : IWeightFormat<ushort>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<float> Load(ref ushort row, int index) =>
        Vector.AsVectorSingle(Vector.ShiftLeft(Vector.WidenLower(Vector.LoadUnsafe(ref row, (nuint)index)), 16));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float LoadScalar(ref ushort row, int index) => BitConverter.UInt32BitsToSingle((uint)Unsafe.Add(ref row, index) << 16);
}
