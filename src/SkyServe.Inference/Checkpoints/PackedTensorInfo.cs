namespace SkyServe.Inference.Checkpoints;

/// <summary>One tensor of a packed checkpoint: its dtype, shape and byte range relative to the data start.</summary>
public sealed record PackedTensorInfo(string Name, string DType, IReadOnlyList<long> Shape, long Offset, long Length)
{
    public long ElementCount => Shape.Aggregate(1L, (count, dimension) => count * dimension);
}
