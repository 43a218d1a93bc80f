using System.Runtime.InteropServices;
using SkyServe.Inference.Model;

namespace SkyServe.Inference.Checkpoints;

/// <summary>
/// Every tensor of a packed checkpoint, loaded: in arrays, or left in the mapped file (<see cref="Mapping"/>); the engine
/// takes them as they are (BF16 matrices stay BF16).
/// </summary>
public sealed unsafe class PackedTensors : ICheckpointTensors
{
    private readonly string path;
    private readonly Dictionary<string, LoadedTensor> tensors;

    internal PackedTensors(string path, Dictionary<string, LoadedTensor> tensors, long bytesRead, TimeSpan elapsed)
    {
        this.path = path;
        this.tensors = tensors;
        BytesRead = bytesRead;
        Elapsed = elapsed;
    }

    public long BytesRead { get; }
    public TimeSpan Elapsed { get; }

    /// <summary>The mapped file that mapped tensors live in; whoever computes from them owns it and disposes it last. Null when every tensor is in an array.</summary>
    public IDisposable? Mapping { get; init; }
    public IEnumerable<string> Names => tensors.Keys;

    public bool Contains(string name) => tensors.ContainsKey(name);

    public float[] ReadFloat32(string name, params long[] expectedShape)
    {
        var tensor = Find(name, expectedShape);
        if (tensor.Float32 is { } values)
            return values;
        var widened = new float[tensor.Info.ElementCount];
        if (tensor.Mapped != 0 && tensor.Info.DType == SafetensorsDTypes.Float32)
            new ReadOnlySpan<float>((void*)tensor.Mapped, widened.Length).CopyTo(widened); // small (norms, biases): an array of its own
        else if (tensor.Mapped != 0)
            HalfPrecisionConversion.BFloat16ToSingle(new ReadOnlySpan<byte>((void*)tensor.Mapped, widened.Length * sizeof(ushort)), widened);
        else
            HalfPrecisionConversion.BFloat16ToSingle(MemoryMarshal.AsBytes(tensor.BFloat16.AsSpan(0, widened.Length)), widened);
        return widened;
    }

    public WeightMatrix ReadMatrix(string name, int rows, int columns)
    {
        var tensor = Find(name, [rows, columns]);
        if (tensor.Mapped != 0)
            return WeightMatrix.FromMapped(tensor.Mapped, tensor.Info.DType == SafetensorsDTypes.BFloat16, rows, columns);
        return tensor.BFloat16 is { } bits ? WeightMatrix.FromBFloat16(bits, rows, columns) : WeightMatrix.FromFloat32(tensor.Float32!, rows, columns);
    }

    private LoadedTensor Find(string name, long[] expectedShape)
    {
        if (!tensors.TryGetValue(name, out var tensor))
            throw new CheckpointException($"tensor '{name}' is not in {path}");
        if (!tensor.Info.Shape.SequenceEqual(expectedShape))
            throw new CheckpointException(
                $"tensor '{name}' has shape [{string.Join(", ", tensor.Info.Shape)}]; config.json implies [{string.Join(", ", expectedShape)}]");
        return tensor;
    }
}

/// <summary>
/// A loaded tensor: BF16 kept as its bit patterns (padded for the kernels), anything else as float32; or, with
/// <paramref name="Mapped"/>, BF16 or F32 left where it lies in the mapped file (its address; readable padding follows).
/// </summary>
internal sealed record LoadedTensor(PackedTensorInfo Info, float[]? Float32, ushort[]? BFloat16, nint Mapped = 0);
