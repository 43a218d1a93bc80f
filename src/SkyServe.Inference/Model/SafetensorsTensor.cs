namespace SkyServe.Inference.Model;

/// <summary>Where one tensor of a safetensors file lies: its dtype, shape and absolute byte range in the file.</summary>
public sealed record SafetensorsTensor(string Name, string DType, IReadOnlyList<long> Shape, string FilePath, long FileOffset, long ByteLength)
{
    public long ElementCount => Shape.Aggregate(1L, (count, dimension) => count * dimension);

    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
