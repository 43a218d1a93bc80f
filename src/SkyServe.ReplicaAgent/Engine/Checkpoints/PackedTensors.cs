using SkyServe.ReplicaAgent.Engine.Model;

namespace SkyServe.ReplicaAgent.Engine.Checkpoints;

/// <summary>Every tensor of a packed checkpoint, loaded; the engine takes the arrays as they are.</summary>
public sealed class PackedTensors : ICheckpointTensors
{
    private readonly string path;
    private readonly Dictionary<string, (PackedTensorInfo Info, float[] Values)> tensors;

    internal PackedTensors(string path, Dictionary<string, (PackedTensorInfo Info, float[] Values)> tensors, long bytesRead, TimeSpan elapsed)
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
        if (!tensors.TryGetValue(name, out var tensor))
            throw new CheckpointException($"tensor '{name}' is not in {path}");
        if (!tensor.Info.Shape.SequenceEqual(expectedShape))
            throw new CheckpointException(
                $"tensor '{name}' has shape [{string.Join(", ", tensor.Info.Shape)}]; config.json implies [{string.Join(", ", expectedShape)}]");
        return tensor.Values;
    }
}
