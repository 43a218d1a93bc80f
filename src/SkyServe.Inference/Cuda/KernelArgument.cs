namespace SkyServe.Inference.Cuda;

/// <summary>
/// One kernel parameter in an 8-byte slot, as cuLaunchKernel reads it: a device pointer, or a 32-bit int or float in the
/// slot's low bytes (x86-64 is little-endian).
/// </summary>
internal readonly record struct KernelArgument(long Bits)
{
    public static KernelArgument Pointer(nint pointer) => new(pointer);
    public static KernelArgument Int(int value) => new((uint)value);
    public static KernelArgument Float(float value) => new(BitConverter.SingleToUInt32Bits(value));
}
