using System.Buffers.Binary;
using System.Text.Json;
using SkyServe.Inference.Model;
using SkyServe.Inference.Tests.Model;

namespace SkyServe.Inference.Tests.Checkpoints;

/// <summary>Copies of the tiny fixtures to serve, change and break.</summary>
internal static class ModelFolders
{
    public static string Fixture(string name) => ReferenceFixture.Load(name).Directory;

    /// <summary>The fixture's config, tokenizer and weights files (not expected.json) under <paramref name="parent"/>/<paramref name="folder"/>.</summary>
    public static string Copy(string fixture, string parent, string folder)
    {
        var destination = Path.Combine(parent, folder);
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.GetFiles(Fixture(fixture)).Where(file => Path.GetFileName(file) != "expected.json"))
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        return destination;
    }

    /// <summary>
    /// The fixture in the Hub's sharded layout: its tensors dealt alternately into two safetensors shards and
    /// model.safetensors.index.json mapping each tensor to its shard.
    /// </summary>
    public static string Sharded(string fixture, string parent, string folder)
    {
        var destination = Copy(fixture, parent, folder);
        var single = Path.Combine(destination, SafetensorsCheckpoint.SingleFileName);
        var weightMap = new Dictionary<string, string>();
        using (var source = SafetensorsFile.Open(single))
        {
            var names = source.Tensors.Keys.Order(StringComparer.Ordinal).ToList();
            var bytes = File.ReadAllBytes(single);
            for (var shard = 0; shard < 2; shard++)
            {
                var fileName = $"model-0000{shard + 1}-of-00002.safetensors";
                var mine = names.Where((_, i) => i % 2 == shard).Select(name => source.Tensors[name]).ToList();
                var header = new Dictionary<string, object>();
                long offset = 0;
                foreach (var tensor in mine)
                {
                    header[tensor.Name] = new { dtype = tensor.DType, shape = tensor.Shape, data_offsets = new[] { offset, offset + tensor.ByteLength } };
                    offset += tensor.ByteLength;
                    weightMap[tensor.Name] = fileName;
                }
                var headerBytes = JsonSerializer.SerializeToUtf8Bytes(header);
                using var output = File.Create(Path.Combine(destination, fileName));
                var length = new byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)headerBytes.Length);
                output.Write(length);
                output.Write(headerBytes);
                foreach (var tensor in mine)
                    output.Write(bytes, (int)tensor.FileOffset, (int)tensor.ByteLength);
            }
        }
        File.Delete(single);
        File.WriteAllText(Path.Combine(destination, SafetensorsCheckpoint.IndexFileName),
            JsonSerializer.Serialize(new { metadata = new { total_size = 0 }, weight_map = weightMap }));
        return destination;
    }
}
