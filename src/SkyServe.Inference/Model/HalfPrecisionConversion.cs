using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace SkyServe.Inference.Model;

/// <summary>Widens little-endian F16 and BF16 bytes to float32.</summary>
public static class HalfPrecisionConversion
{
    public static void Float16ToSingle(ReadOnlySpan<byte> source, Span<float> destination) =>
        TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);

    /// <summary>A bfloat16 is the upper half of a float32: shifting its bits up by 16 is exact.</summary>
    public static void BFloat16ToSingle(ReadOnlySpan<byte> source, Span<float> destination)
    {
        var halves = MemoryMarshal.Cast<byte, ushort>(source);
        var bits = MemoryMarshal.Cast<float, uint>(destination);
        if (bits.Length < halves.Length)
            throw new ArgumentException("destination is shorter than source", nameof(destination));

        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var wideBits = MemoryMarshal.Cast<uint, Vector<uint>>(bits);
            for (; i + Vector<ushort>.Count <= halves.Length; i += Vector<ushort>.Count)
            {
                Vector.Widen(new Vector<ushort>(halves[i..]), out var low, out var high);
                var block = i / Vector<uint>.Count;
                wideBits[block] = low << 16;
                wideBits[block + 1] = high << 16;
            }
        }
        for (; i < halves.Length; i++)
            bits[i] = (uint)halves[i] << 16;
    }
}
