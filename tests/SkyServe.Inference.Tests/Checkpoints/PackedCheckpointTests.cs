using System.Runtime.InteropServices;
using SkyServe.Inference.Checkpoints;
using SkyServe.Inference.Model;
using SkyServe.Inference.Tests.Model;
using SkyServe.Testing;

namespace SkyServe.Inference.Tests.Checkpoints;

/// <summary>The packed layout against the safetensors it was converted from, on the tiny fixtures.</summary>
public sealed class PackedCheckpointTests
{
    /// <summary>A folder like a cache entry: the fixture's config and tokenizer, and the packed weights.</summary>
    private static string Packed(string fixture, TempDirectory temp, PackedDType dtype = PackedDType.Source)
    {
        var folder = Path.Combine(temp.Path, $"{fixture}-{dtype}");
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { "config.json", "tokenizer.json", "tokenizer_config.json" })
            File.Copy(Path.Combine(ModelFolders.Fixture(fixture), file), Path.Combine(folder, file));
        using var checkpoint = SafetensorsCheckpoint.Open(ModelFolders.Fixture(fixture));
        PackedCheckpointWriter.Write(checkpoint, Path.Combine(folder, PackedCheckpointFormat.FileName), dtype);
        return folder;
    }

    private static bool BitIdentical(float[] a, float[] b) => MemoryMarshal.AsBytes(a.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(b.AsSpan()));

    [Theory]
    [InlineData(ReferenceFixture.Llama, PackedDType.Source)]
    [InlineData(ReferenceFixture.Qwen2, PackedDType.Source)]
    [InlineData(ReferenceFixture.Qwen2, PackedDType.Float32)]
    public void Every_tensor_loads_bit_identical_to_the_safetensors(string fixture, PackedDType dtype)
    {
        using var temp = new TempDirectory();
        var folder = Packed(fixture, temp, dtype);
        using var source = SafetensorsCheckpoint.Open(ModelFolders.Fixture(fixture));
        using var packed = PackedCheckpoint.Open(Path.Combine(folder, PackedCheckpointFormat.FileName));
        // Small pieces, several readers: tensors split across reads and threads must reassemble exactly.
        foreach (var options in new[]
                 {
                     new PackedLoadOptions(), new PackedLoadOptions(Map: false), new PackedLoadOptions(Readers: 3, ChunkBytes: 4096, Map: false),
                     new PackedLoadOptions(Readers: 2, ChunkBytes: 8192, DirectIo: true),
                 })
        {
            var loaded = packed.LoadAll(options);
            using var mapping = loaded.Mapping;
            Assert.Equal(source.TensorNames.Order(), loaded.Names.Order());
            foreach (var name in source.TensorNames)
            {
                var tensor = source.GetTensor(name);
                Assert.True(BitIdentical(source.ReadFloat32(name), loaded.ReadFloat32(name, [.. tensor.Shape])), $"{name} differs ({options})");
            }
        }
    }

    [Fact]
    public void Tensors_start_on_4_KiB_boundaries_and_the_file_ends_on_one()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(Packed(ReferenceFixture.Qwen2, temp), PackedCheckpointFormat.FileName);
        using var packed = PackedCheckpoint.Open(path);
        Assert.All(packed.Tensors, tensor => Assert.Equal(0, (packed.DataStart + tensor.Offset) % 4096));
        Assert.Equal(0, new FileInfo(path).Length % 4096);
        // The Qwen2 fixture is stored in BF16: the layout keeps it so (2 bytes a value), widening as it loads.
        Assert.All(packed.Tensors, tensor => Assert.Equal(SafetensorsDTypes.BFloat16, tensor.DType));
    }

    [Theory]
    [InlineData(ReferenceFixture.Llama)]
    [InlineData(ReferenceFixture.Qwen2)]
    public void The_packed_model_computes_the_same_logits_bit_for_bit(string fixtureName)
    {
        using var temp = new TempDirectory();
        var fixture = ReferenceFixture.Load(fixtureName);
        using var fromSafetensors = CpuLlamaModel.Load(fixture.Directory, out var safetensorsLoad);
        using var fromPacked = CpuLlamaModel.Load(Packed(fixtureName, temp), out var packedLoad);
        Assert.Equal(WeightLayout.Safetensors, safetensorsLoad.Layout);
        Assert.Equal(WeightLayout.Packed, packedLoad.Layout);
        Assert.Equal(safetensorsLoad.BytesRead, packedLoad.BytesRead);

        foreach (var reference in fixture.Cases)
        {
            using var cacheA = fromSafetensors.CreateCache();
            using var cacheB = fromPacked.CreateCache();
            var expected = fromSafetensors.Forward([new SequenceStep(cacheA, reference.Ids, ReturnAllLogits: true)])[0];
            var actual = fromPacked.Forward([new SequenceStep(cacheB, reference.Ids, ReturnAllLogits: true)])[0];
            Assert.True(BitIdentical(expected, actual), $"logits differ for \"{reference.Prompt}\"");
            Assert.True(LogitComparison.MaxAbsDifference(actual, reference.Logits) <= 1e-3f);
        }
    }

    [Fact]
    public void A_mapped_model_computes_from_the_file_in_place_as_the_arrays_would_and_lets_go_of_it_when_disposed()
    {
        using var temp = new TempDirectory();
        var fixture = ReferenceFixture.Load(ReferenceFixture.Qwen2); // BF16, with q/k/v biases
        var folder = Packed(ReferenceFixture.Qwen2, temp);
        using (var packed = PackedCheckpoint.Open(Path.Combine(folder, PackedCheckpointFormat.FileName)))
        {
            var mapped = packed.LoadAll();
            using var mapping = mapped.Mapping;
            Assert.NotNull(mapping);
            var config = ModelConfig.Load(Path.Combine(folder, "config.json"));
            var query = mapped.ReadMatrix("model.layers.0.self_attn.q_proj.weight", config.QueryDim, config.HiddenSize);
            Assert.True(query.IsBFloat16);
            Assert.Null(query.BFloat16); // not copied into an array: the kernels read the mapping
            Assert.Null(packed.LoadAll(new PackedLoadOptions(Map: false)).Mapping);
        }

        var model = CpuLlamaModel.Load(folder, out _);
        using var fromArrays = CpuLlamaModel.Load(folder, out _, new PackedLoadOptions(Map: false));
        foreach (var reference in fixture.Cases)
        {
            using var cacheA = model.CreateCache();
            using var cacheB = fromArrays.CreateCache();
            var fromMapping = model.Forward([new SequenceStep(cacheA, reference.Ids, ReturnAllLogits: true)])[0];
            Assert.True(BitIdentical(fromArrays.Forward([new SequenceStep(cacheB, reference.Ids, ReturnAllLogits: true)])[0], fromMapping));
        }
        model.Dispose();
        using var afterwards = model.CreateCache();
        Assert.Throws<ObjectDisposedException>(() => model.Forward([new SequenceStep(afterwards, fixture.Cases[0].Ids)]));
    }

    [Fact]
    public void A_truncated_file_is_refused_before_any_tensor_is_read()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(Packed(ReferenceFixture.Llama, temp), PackedCheckpointFormat.FileName);
        using (var stream = new FileStream(path, FileMode.Open))
            stream.SetLength(stream.Length - 4096);
        var error = Assert.Throws<CheckpointException>(() => PackedCheckpoint.Open(path));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_packed_is_refused()
    {
        var error = Assert.Throws<CheckpointException>(() => PackedCheckpoint.Open(Path.Combine(ModelFolders.Fixture(ReferenceFixture.Llama), "model.safetensors")));
        Assert.Contains("not a packed checkpoint", error.Message);
    }

    [Fact]
    public void Tensors_are_written_in_natural_order()
    {
        using var temp = new TempDirectory();
        using var packed = PackedCheckpoint.Open(Path.Combine(Packed(ReferenceFixture.Llama, temp), PackedCheckpointFormat.FileName));
        var names = packed.Tensors.Select(tensor => tensor.Name).ToList();
        Assert.True(names.IndexOf("model.layers.0.mlp.up_proj.weight") < names.IndexOf("model.layers.1.input_layernorm.weight"));
        Assert.Equal(["a2", "a10", "b1.x", "b1.y"], new[] { "b1.y", "a10", "b1.x", "a2" }.Order(NaturalOrder.Instance));
    }
}
