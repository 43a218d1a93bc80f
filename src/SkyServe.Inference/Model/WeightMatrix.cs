using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SkyServe.Inference.Model;

/// <summary>
/// A row-major [rows, columns] weight matrix as the engine keeps it: float32, or bfloat16 as the checkpoint stores it.
/// bfloat16 is the upper half of a float32, so widening it (in registers, as the kernels read it) is exact: a bfloat16
/// matrix computes exactly what its float32 widening would, reading half the bytes from memory per decode step and
/// taking half the memory to load. F16 checkpoints are widened to float32 when loaded. The values live in an array, or in
/// a packed checkpoint mapped into memory (<see cref="FromMapped"/>), whose owner keeps the mapping alive while in use.
/// </summary>
public sealed unsafe class WeightMatrix
{
    /// <summary>
    /// Extra zero elements after a bfloat16 matrix: kernels read a whole vector of 16-bit values and widen its lower
    /// half, so a read at the last row's end may run this far past it.
    /// </summary>
    public static int BFloat16Padding => Vector<ushort>.Count;

    private readonly nint mapped;

    private WeightMatrix(int rows, int columns, float[]? float32, ushort[]? bfloat16, nint mapped = 0, bool mappedBFloat16 = false)
    {
        Rows = rows;
        Columns = columns;
        Float32 = float32;
        BFloat16 = bfloat16;
        this.mapped = mapped;
        IsBFloat16 = bfloat16 is not null || (mapped != 0 && mappedBFloat16);
    }

    public int Rows { get; }
    public int Columns { get; }

    /// <summary>The values when held as float32, else null.</summary>
    public float[]? Float32 { get; }

    /// <summary>The values' bit patterns when held as bfloat16 (followed by <see cref="BFloat16Padding"/> zeros), else null.</summary>
    public ushort[]? BFloat16 { get; }

    /// <summary>Held as bfloat16 (in <see cref="BFloat16"/> or mapped), else as float32.</summary>
    public bool IsBFloat16 { get; }

    /// <summary>Bytes a pass over the matrix reads.</summary>
    public long Bytes => (long)Rows * Columns * (IsBFloat16 ? sizeof(ushort) : sizeof(float));

    /// <summary>The first bfloat16 value, for the kernels (which may read <see cref="BFloat16Padding"/> past the end).</summary>
    internal ref ushort BFloat16Reference => ref BFloat16 is { } bits ? ref MemoryMarshal.GetArrayDataReference(bits) : ref Unsafe.AsRef<ushort>((void*)mapped);

    /// <summary>The first float32 value, for the kernels.</summary>
    internal ref float Float32Reference => ref Float32 is { } values ? ref MemoryMarshal.GetArrayDataReference(values) : ref Unsafe.AsRef<float>((void*)mapped);

    private ReadOnlySpan<ushort> BFloat16Values(long start, int count) => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref BFloat16Reference, (nint)start), count);

    private ReadOnlySpan<float> Float32Values(long start, int count) => MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref Float32Reference, (nint)start), count);

    /// <summary>
    /// A matrix whose values stay where they are: at <paramref name="address"/> in a mapped checkpoint, bfloat16 followed by
    /// at least <see cref="BFloat16Padding"/> readable elements, or float32. The caller keeps the mapping alive.
    /// </summary>
    internal static WeightMatrix FromMapped(nint address, bool bfloat16, int rows, int columns) =>
        new(rows, columns, null, null, address, bfloat16);

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

    /// <summary>
    /// An array for <paramref name="count"/> bfloat16 values, to be written in full by the caller, and the zeroed padding
    /// kernels may read; on huge pages where the kernel allows (<see cref="HugePages"/>), since loading writes it once.
    /// </summary>
    public static ushort[] AllocateBFloat16(long count)
    {
        var bits = GC.AllocateUninitializedArray<ushort>((int)(count + BFloat16Padding));
        bits.AsSpan((int)count).Clear();
        HugePages.Advise(bits);
        return bits;
    }

    /// <summary>One row as float32 (the embedding lookup).</summary>
    public void CopyRow(int row, Span<float> destination)
    {
        if (!IsBFloat16)
            Float32Values((long)row * Columns, Columns).CopyTo(destination);
        else
            HalfPrecisionConversion.BFloat16ToSingle(MemoryMarshal.AsBytes(BFloat16Values((long)row * Columns, Columns)), destination);
    }

    /// <summary>Every value as float32 (tests, tools).</summary>
    public float[] ToFloat32()
    {
        if (Float32 is not null)
            return Float32;
        var values = new float[(long)Rows * Columns];
        if (IsBFloat16)
            HalfPrecisionConversion.BFloat16ToSingle(MemoryMarshal.AsBytes(BFloat16Values(0, values.Length)), values);
        else
            Float32Values(0, values.Length).CopyTo(values);
        return values;
    }
}
