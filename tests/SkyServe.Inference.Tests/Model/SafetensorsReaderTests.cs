using SkyServe.Inference.Model;
using SkyServe.Testing;
using static SkyServe.Inference.Tests.Model.SafetensorsTestFile;

namespace SkyServe.Inference.Tests.Model;

public sealed class SafetensorsReaderTests : IDisposable
{
    private readonly TempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private string FilePath(string name = "model.safetensors") => Path.Combine(temp.Path, name);

    /// <summary>Exactly representable in F16 and BF16; 37 values cover the vectorised part and the tail.</summary>
    private static float[] SampleValues() =>
        Enumerable.Range(0, 37).Select(i => (i - 18) * 0.375f).ToArray();

    [Fact]
    public void Reads_f32_f16_and_bf16_as_float32_and_ignores_metadata()
    {
        var values = SampleValues();
        var f32 = Float32Bytes(values);
        var f16 = Float16Bytes(values);
        var bf16 = BFloat16Bytes(values);
        var header = "{\"__metadata__\": {\"format\": \"pt\"}, "
            + Entry("a", "F32", [37], 0, f32.Length) + ", "
            + Entry("b", "F16", [37], f32.Length, f32.Length + f16.Length) + ", "
            + Entry("c", "BF16", [1, 37], f32.Length + f16.Length, f32.Length + f16.Length + bf16.Length) + "}";
        Write(FilePath(), header, [.. f32, .. f16, .. bf16]);

        using var checkpoint = SafetensorsCheckpoint.Open(temp.Path);

        Assert.Equal(["a", "b", "c"], checkpoint.TensorNames.Order());
        Assert.Equal(values, checkpoint.ReadFloat32("a"));
        Assert.Equal(values, checkpoint.ReadFloat32("b"));
        Assert.Equal(values, checkpoint.ReadFloat32("c", 1, 37));
        Assert.Equal("BF16", checkpoint.GetTensor("c").DType);
    }

    [Fact]
    public void Half_precision_tensors_larger_than_one_conversion_chunk_are_read_whole()
    {
        // 9 Mi BF16 values are 18 MiB: more than the reader's 16 MiB conversion chunk.
        var values = Enumerable.Range(0, 9 << 20).Select(i => (i % 251 - 125) * 0.25f).ToArray();
        var bytes = BFloat16Bytes(values);
        Write(FilePath(), "{" + Entry("big", "BF16", [9, 1 << 20], 0, bytes.Length) + "}", bytes);
        using var file = SafetensorsFile.Open(FilePath());

        Assert.Equal(values, file.ReadFloat32("big"));
    }

    [Fact]
    public void A_file_shorter_than_the_length_prefix_is_truncated()
    {
        File.WriteAllBytes(FilePath(), [1, 2, 3]);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(FilePath()));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void A_header_longer_than_the_file_is_truncated()
    {
        Write(FilePath(), "{}", [], declaredHeaderLength: 4096);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(FilePath()));
        Assert.Contains("truncated", error.Message);
    }

    [Fact]
    public void An_absurd_header_length_is_refused_before_allocating()
    {
        Write(FilePath(), "{}", [], declaredHeaderLength: ulong.MaxValue);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(FilePath()));
        Assert.Contains("header length", error.Message);
    }

    [Fact]
    public void A_header_that_is_not_json_is_refused()
    {
        Write(FilePath(), "{\"a\": {\"dtype\": ", []);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(FilePath()));
        Assert.Contains("not valid JSON", error.Message);
    }

    [Fact]
    public void A_header_entry_without_data_offsets_is_malformed()
    {
        Write(FilePath(), "{\"a\": {\"dtype\": \"F32\", \"shape\": [1]}}", new byte[4]);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(FilePath()));
        Assert.Contains("malformed header", error.Message);
    }

    [Fact]
    public void Data_that_ends_before_the_last_tensor_is_truncated()
    {
        var data = Float32Bytes(SampleValues());
        Write(FilePath(), "{" + Entry("a", "F32", [37], 0, data.Length) + "}", data[..100]);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(FilePath()));
        Assert.Contains("truncated", error.Message);
        Assert.Contains("'a'", error.Message);
    }

    [Fact]
    public void A_dtype_the_format_does_not_define_is_refused()
    {
        Write(FilePath(), "{" + Entry("a", "F7", [2], 0, 2) + "}", new byte[2]);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(FilePath()));
        Assert.Contains("unknown dtype 'F7'", error.Message);
    }

    [Fact]
    public void A_defined_dtype_the_engine_cannot_use_fails_when_read()
    {
        Write(FilePath(), "{" + Entry("positions", "I64", [2], 0, 16) + "}", new byte[16]);
        using var file = SafetensorsFile.Open(FilePath());

        var error = Assert.Throws<CheckpointException>(() => file.ReadFloat32("positions"));
        Assert.Contains("I64", error.Message);
    }

    [Fact]
    public void Data_offsets_that_disagree_with_the_shape_are_refused()
    {
        Write(FilePath(), "{" + Entry("a", "F32", [3], 0, 8) + "}", new byte[8]);

        var error = Assert.Throws<CheckpointException>(() => SafetensorsFile.Open(FilePath()));
        Assert.Contains("needs 12 bytes", error.Message);
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        Write(FilePath(), "{" + Entry("a", "F32", [1], 0, 4) + "}", new byte[4]);
        using var checkpoint = SafetensorsCheckpoint.Open(temp.Path);

        var error = Assert.Throws<CheckpointException>(() => checkpoint.ReadFloat32("model.norm.weight"));
        Assert.Contains("'model.norm.weight'", error.Message);
    }

    [Fact]
    public void A_shape_other_than_the_config_implies_is_refused()
    {
        Write(FilePath(), "{" + Entry("a", "F32", [2, 2], 0, 16) + "}", new byte[16]);
        using var checkpoint = SafetensorsCheckpoint.Open(temp.Path);

        var error = Assert.Throws<CheckpointException>(() => checkpoint.ReadFloat32("a", 4));
        Assert.Contains("[2, 2]", error.Message);
    }

    [Fact]
    public void A_folder_without_weights_is_refused()
    {
        var error = Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.Open(temp.Path));
        Assert.Contains("no model.safetensors.index.json", error.Message);
    }

    [Fact]
    public void Sharded_checkpoints_follow_the_index_weight_map()
    {
        var first = Float32Bytes([1f, 2f]);
        var second = BFloat16Bytes([3f, 4f, 5f]);
        Write(FilePath("model-00001-of-00002.safetensors"), "{" + Entry("x", "F32", [2], 0, 8) + "}", first);
        Write(FilePath("model-00002-of-00002.safetensors"), "{" + Entry("y", "BF16", [3], 0, 6) + "}", second);
        File.WriteAllText(FilePath(SafetensorsCheckpoint.IndexFileName), """
            {"metadata": {"total_size": 14},
             "weight_map": {"x": "model-00001-of-00002.safetensors", "y": "model-00002-of-00002.safetensors"}}
            """);

        using var checkpoint = SafetensorsCheckpoint.Open(temp.Path);

        Assert.Equal([1f, 2f], checkpoint.ReadFloat32("x"));
        Assert.Equal([3f, 4f, 5f], checkpoint.ReadFloat32("y"));
    }

    [Fact]
    public void An_index_naming_a_missing_shard_is_refused()
    {
        File.WriteAllText(FilePath(SafetensorsCheckpoint.IndexFileName), """{"weight_map": {"x": "gone.safetensors"}}""");

        var error = Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.Open(temp.Path));
        Assert.Contains("gone.safetensors", error.Message);
    }

    [Fact]
    public void An_index_placing_a_tensor_in_the_wrong_shard_is_refused()
    {
        Write(FilePath("shard.safetensors"), "{" + Entry("x", "F32", [1], 0, 4) + "}", new byte[4]);
        File.WriteAllText(FilePath(SafetensorsCheckpoint.IndexFileName), """{"weight_map": {"x": "shard.safetensors", "z": "shard.safetensors"}}""");

        var error = Assert.Throws<CheckpointException>(() => SafetensorsCheckpoint.Open(temp.Path));
        Assert.Contains("'z'", error.Message);
    }
}
