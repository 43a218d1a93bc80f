using System.Text.Json;

namespace SkyServe.Inference.Model;

/// <summary>
/// The weights of a Hugging Face model folder: model.safetensors.index.json with its weight_map over
/// shard files, or a single model.safetensors (or the folder's only .safetensors file).
/// </summary>
public sealed class SafetensorsCheckpoint : ICheckpointTensors, IDisposable
{
    public const string IndexFileName = "model.safetensors.index.json";
    public const string SingleFileName = "model.safetensors";

    private readonly List<SafetensorsFile> files;
    private readonly Dictionary<string, SafetensorsFile> fileOfTensor;
    private long bytesRead;

    public string Directory { get; }

    public IEnumerable<string> TensorNames => fileOfTensor.Keys;

    private SafetensorsCheckpoint(string directory, List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> fileOfTensor)
    {
        Directory = directory;
        this.files = files;
        this.fileOfTensor = fileOfTensor;
    }

    public static SafetensorsCheckpoint Open(string directory)
    {
        var indexPath = Path.Combine(directory, IndexFileName);
        if (File.Exists(indexPath))
            return OpenIndexed(directory, indexPath);

        var single = Path.Combine(directory, SingleFileName);
        if (!File.Exists(single))
        {
            var candidates = System.IO.Directory.Exists(directory) ? System.IO.Directory.GetFiles(directory, "*.safetensors") : [];
            if (candidates.Length != 1)
                throw new CheckpointException(candidates.Length == 0
                    ? $"no {IndexFileName} or .safetensors file in {directory}"
                    : $"{directory} holds several .safetensors files but no {IndexFileName}");
            single = candidates[0];
        }

        var file = SafetensorsFile.Open(single);
        return new SafetensorsCheckpoint(directory, [file], file.Tensors.Keys.ToDictionary(name => name, _ => file, StringComparer.Ordinal));
    }

    public bool Contains(string name) => fileOfTensor.ContainsKey(name);

    public SafetensorsTensor GetTensor(string name) => FileOf(name).GetTensor(name);

    /// <summary>Bytes of tensor data read so far.</summary>
    public long BytesRead => Interlocked.Read(ref bytesRead);

    public float[] ReadFloat32(string name)
    {
        var file = FileOf(name);
        var values = file.ReadFloat32(name);
        Interlocked.Add(ref bytesRead, file.GetTensor(name).ByteLength);
        return values;
    }

    /// <summary>Reads a tensor and checks its shape, so a config that disagrees with the weights fails clearly.</summary>
    public float[] ReadFloat32(string name, params long[] expectedShape)
    {
        var tensor = GetTensor(name);
        if (!tensor.Shape.SequenceEqual(expectedShape))
            throw new CheckpointException(
                $"tensor '{name}' has shape {tensor.ShapeText}; config.json implies [{string.Join(", ", expectedShape)}]");
        return ReadFloat32(name);
    }

    public WeightMatrix ReadMatrix(string name, int rows, int columns)
    {
        var tensor = GetTensor(name);
        if (!tensor.Shape.SequenceEqual([rows, columns]))
            throw new CheckpointException($"tensor '{name}' has shape {tensor.ShapeText}; config.json implies [{rows}, {columns}]");
        if (tensor.DType != SafetensorsDTypes.BFloat16)
            return WeightMatrix.FromFloat32(ReadFloat32(name), rows, columns);
        var bits = FileOf(name).ReadBFloat16Bits(name);
        Interlocked.Add(ref bytesRead, tensor.ByteLength);
        return WeightMatrix.FromBFloat16(bits, rows, columns);
    }

    public void Dispose()
    {
        foreach (var file in files)
            file.Dispose();
    }

    private SafetensorsFile FileOf(string name) =>
        fileOfTensor.TryGetValue(name, out var file) ? file : throw new CheckpointException($"tensor '{name}' is not in the checkpoint at {Directory}");

    private static SafetensorsCheckpoint OpenIndexed(string directory, string indexPath)
    {
        Dictionary<string, string> weightMap;
        try
        {
            using var index = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (!index.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"{indexPath} has no weight_map object");
            weightMap = map.EnumerateObject().ToDictionary(
                entry => entry.Name,
                entry => entry.Value.GetString() ?? throw new CheckpointException($"{indexPath}: weight_map['{entry.Name}'] is not a file name"),
                StringComparer.Ordinal);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new CheckpointException($"{indexPath} is not a valid index: {e.Message}", e);
        }

        var files = new List<SafetensorsFile>();
        var byName = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            foreach (var shard in weightMap.Values.Distinct(StringComparer.Ordinal))
            {
                var shardPath = Path.Combine(directory, shard);
                if (!File.Exists(shardPath))
                    throw new CheckpointException($"{indexPath} names shard {shard}, which is not in {directory}");
                var file = SafetensorsFile.Open(shardPath);
                files.Add(file);
                byName[shard] = file;
            }

            var fileOfTensor = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var (tensor, shard) in weightMap)
            {
                if (!byName[shard].Tensors.ContainsKey(tensor))
                    throw new CheckpointException($"{indexPath} places tensor '{tensor}' in {shard}, which does not hold it");
                fileOfTensor[tensor] = byName[shard];
            }
            return new SafetensorsCheckpoint(directory, files, fileOfTensor);
        }
        catch
        {
            foreach (var file in files)
                file.Dispose();
            throw;
        }
    }
}
