namespace SkyServe.Inference.Model;

/// <summary>The dtypes of the safetensors format and their element sizes; the engine reads F32, F16 and BF16.</summary>
public static class SafetensorsDTypes
{
    public const string Float32 = "F32";
    public const string Float16 = "F16";
    public const string BFloat16 = "BF16";

    private static readonly Dictionary<string, int> ElementSizes = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 1, ["U8"] = 1, ["I8"] = 1, ["F8_E4M3"] = 1, ["F8_E5M2"] = 1,
        ["U16"] = 2, ["I16"] = 2, [Float16] = 2, [BFloat16] = 2,
        ["U32"] = 4, ["I32"] = 4, [Float32] = 4,
        ["U64"] = 8, ["I64"] = 8, ["F64"] = 8,
    };

    /// <summary>Bytes per element, or null for a name the format does not define.</summary>
    public static int? ElementSize(string dtype) => ElementSizes.TryGetValue(dtype, out var size) ? size : null;

    public static bool IsReadableAsFloat32(string dtype) => dtype is Float32 or Float16 or BFloat16;
}
