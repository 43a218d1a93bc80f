using System.Runtime.InteropServices;
using SkyServe.ReplicaAgent.Engine.Model;

namespace SkyServe.ReplicaAgent.Engine.Checkpoints;

/// <summary>Every tensor of a packed checkpoint, loaded; the engine takes the arrays as they are (BF16 matrices stay BF16).</summary>
public sealed class PackedTensors : ICheckpointTensors
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
    public IEnumerable<string> Names => tensors.Keys;

    public bool Contains(string name) => tensors.ContainsKey(name);

    public float[] ReadFloat32(string name, params long[] expectedShape)
    {
        var tensor = Find(name, expectedShape);
        if (tensor.Float32 is { } values)
            return values;
        var widened = new float[tensor.Info.ElementCount];
        HalfPrecisionConversion.BFloat16ToSingle(MemoryMarshal.AsBytes(tensor.BFloat16.AsSpan(0, widened.Length)), widened);
        return widened;
    }

    public WeightMatrix ReadMatrix(string name, int rows, int columns)
    {
        var tensor = Find(name, [rows, columns]);
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

/// <summary>A loaded tensor: BF16 kept as its bit patterns (padded for the kernels), anything else as float32.</summary>
internal sealed record LoadedTensor(PackedTensorInfo Info, float[]? Float32, ushort[]? BFloat16);
