using System.Numerics;
using System.Runtime.InteropServices;

namespace SkyServe.ReplicaAgent.Engine.Model;

/// <summary>
/// A row-major [rows, columns] weight matrix as the engine keeps it: float32, or bfloat16 as the checkpoint stores it.
/// bfloat16 is the upper half of a float32, so widening it (in registers, as the kernels read it) is exact: a bfloat16
/// matrix computes exactly what its float32 widening would, reading half the bytes from memory per decode step and
/// taking half the memory to load. F16 checkpoints are widened to float32 when loaded.
/// </summary>
public sealed class WeightMatrix
{
    /// <summary>
    /// Extra zero elements after a bfloat16 matrix: kernels read a whole vector of 16-bit values and widen its lower
    /// half, so a read at the last row's end may run this far past it.
    /// </summary>
    public static int BFloat16Padding => Vector<ushort>.Count;

    private WeightMatrix(int rows, int columns, float[]? float32, ushort[]? bfloat16)
    {
        Rows = rows;
        Columns = columns;
        Float32 = float32;
        BFloat16 = bfloat16;
    }

    public int Rows { get; }
    public int Columns { get; }

    /// <summary>The values when held as float32, else null.</summary>
    public float[]? Float32 { get; }

    /// <summary>The values' bit patterns when held as bfloat16 (followed by <see cref="BFloat16Padding"/> zeros), else null.</summary>
    public ushort[]? BFloat16 { get; }

    /// <summary>Bytes a pass over the matrix reads.</summary>
    public long Bytes => (long)Rows * Columns * (Float32 is null ? sizeof(ushort) : sizeof(float));

    public static WeightMatrix FromFloat32(float[] values, int rows, int columns)
    {
        if (values.Length != (long)rows * columns)
            throw new ArgumentException($"weight has {values.Length} values, not {rows} x {columns}", nameof(values));
        return new WeightMatrix(rows, columns, values, null);
    }

    /// <param name="bits">rows x columns bfloat16 bit patterns, then at least <see cref="BFloat16Padding"/> more elements.</param>
    public static WeightMatrix FromBFloat16(ushort[] bits, int rows, int columns)
    {
        if (bits.Length < (long)rows * columns + BFloat16Padding)
            throw new ArgumentException($"bfloat16 weight has {bits.Length} elements, not {rows} x {columns} plus {BFloat16Padding} padding", nameof(bits));
        return new WeightMatrix(rows, columns, null, bits);
    }

    /// <summary>A zeroed array for <paramref name="count"/> bfloat16 values and the padding kernels may read.</summary>
    public static ushort[] AllocateBFloat16(long count) => new ushort[count + BFloat16Padding];

    /// <summary>One row as float32 (the embedding lookup).</summary>
    public void CopyRow(int row, Span<float> destination)
    {
        if (Float32 is not null)
            Float32.AsSpan(row * Columns, Columns).CopyTo(destination);
        else
            HalfPrecisionConversion.BFloat16ToSingle(MemoryMarshal.AsBytes(BFloat16.AsSpan(row * Columns, Columns)), destination);
    }

    /// <summary>Every value as float32 (tests, tools).</summary>
    public float[] ToFloat32()
    {
        if (Float32 is not null)
            return Float32;
        var values = new float[(long)Rows * Columns];
        HalfPrecisionConversion.BFloat16ToSingle(MemoryMarshal.AsBytes(BFloat16.AsSpan(0, values.Length)), values);
        return values;
    }
}
