namespace SkyServe.ReplicaAgent.Tests.Engine.Model;

internal static class BFloat16Rounding
{
    /// <summary>A float32 rounded to the nearest bfloat16 (ties to even), as torch casts finite values.</summary>
    public static float RoundToNearestEven(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        var rounded = bits + 0x7FFFu + ((bits >> 16) & 1u);
        return BitConverter.UInt32BitsToSingle(rounded & 0xFFFF0000u);
    }
}
