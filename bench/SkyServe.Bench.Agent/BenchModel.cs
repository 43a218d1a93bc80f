using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SkyServe.Bench.Agent;

/// <summary>The shape of the generated Llama-architecture model; the default is about 100M parameters.</summary>
public sealed record BenchModelShape(
    int Hidden = 768,
    int Layers = 12,
    int Intermediate = 2048,
    int Heads = 12,
    int KeyValueHeads = 4,
    int Vocab = 32000,
    bool TiedEmbeddings = true)
{
    public int HeadDim => Hidden / Heads;
    public int KeyValueDim => KeyValueHeads * HeadDim;

    /// <summary>Every tensor the model has, in the order written, with its shape.</summary>
    public IEnumerable<(string Name, long[] Shape)> Tensors()
    {
        yield return ("model.embed_tokens.weight", [Vocab, Hidden]);
        for (var layer = 0; layer < Layers; layer++)
        {
            var prefix = $"model.layers.{layer}.";
            yield return (prefix + "input_layernorm.weight", [Hidden]);
            yield return (prefix + "self_attn.q_proj.weight", [Hidden, Hidden]);
            yield return (prefix + "self_attn.k_proj.weight", [KeyValueDim, Hidden]);
            yield return (prefix + "self_attn.v_proj.weight", [KeyValueDim, Hidden]);
            yield return (prefix + "self_attn.o_proj.weight", [Hidden, Hidden]);
            yield return (prefix + "post_attention_layernorm.weight", [Hidden]);
            yield return (prefix + "mlp.gate_proj.weight", [Intermediate, Hidden]);
            yield return (prefix + "mlp.up_proj.weight", [Intermediate, Hidden]);
            yield return (prefix + "mlp.down_proj.weight", [Hidden, Intermediate]);
        }
        yield return ("model.norm.weight", [Hidden]);
        if (!TiedEmbeddings)
            yield return ("lm_head.weight", [Vocab, Hidden]);
    }

    public long Parameters => Tensors().Sum(tensor => tensor.Shape.Aggregate(1L, (a, b) => a * b));

    /// <summary>Weights one decode step streams from memory: every matrix once (the head included), one embedding row per token.</summary>
    public long DecodeWeightBytes(int bytesPerValue)
    {
        var perLayer = (long)Hidden * Hidden * 2 + 2L * KeyValueDim * Hidden + 3L * Intermediate * Hidden + 2L * Hidden;
        return (Layers * perLayer + (long)Vocab * Hidden + Hidden) * bytesPerValue;
    }

    /// <summary>Key and value bytes per cached position, over all layers (float32).</summary>
    public long KvBytesPerPosition => 2L * KeyValueDim * Layers * 4;
}

/// <summary>
/// Writes a random-weight model folder the engine can serve: config.json, model.safetensors (F32 or BF16) and
/// the tiny-llama fixture's byte-level tokenizer with its vocabulary padded to the model's (ids 400+ decode to "x400"...).
/// </summary>
public static class BenchModel
{
    public static void Write(string directory, BenchModelShape shape, string dtype, string fixtureTokenizerDirectory, int seed = 1234)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "config.json"), JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["architectures"] = new[] { "LlamaForCausalLM" },
            ["model_type"] = "llama",
            ["hidden_size"] = shape.Hidden,
            ["intermediate_size"] = shape.Intermediate,
            ["num_hidden_layers"] = shape.Layers,
            ["num_attention_heads"] = shape.Heads,
            ["num_key_value_heads"] = shape.KeyValueHeads,
            ["head_dim"] = shape.HeadDim,
            ["vocab_size"] = shape.Vocab,
            ["max_position_embeddings"] = 4096,
            ["rms_norm_eps"] = 1e-5,
            ["rope_theta"] = 10000.0,
            ["tie_word_embeddings"] = shape.TiedEmbeddings,
            ["bos_token_id"] = 0,
            ["eos_token_id"] = 4,
            ["dtype"] = dtype == "BF16" ? "bfloat16" : "float32",
        }));
        File.Copy(Path.Combine(fixtureTokenizerDirectory, "tokenizer_config.json"), Path.Combine(directory, "tokenizer_config.json"), overwrite: true);
        WritePaddedTokenizer(Path.Combine(fixtureTokenizerDirectory, "tokenizer.json"), Path.Combine(directory, "tokenizer.json"), shape.Vocab);
        WriteSafetensors(Path.Combine(directory, "model.safetensors"), shape, dtype, seed);
    }

    private static void WritePaddedTokenizer(string source, string destination, int vocab)
    {
        var tokenizer = JsonNode.Parse(File.ReadAllText(source))!.AsObject();
        var entries = tokenizer["model"]!["vocab"]!.AsObject();
        var used = entries.Select(entry => entry.Value!.GetValue<int>()).ToHashSet();
        for (var id = 0; id < vocab; id++)
            if (!used.Contains(id))
                entries[$"x{id}"] = id;
        File.WriteAllText(destination, tokenizer.ToJsonString());
    }

    private static void WriteSafetensors(string path, BenchModelShape shape, string dtype, int seed)
    {
        var elementSize = dtype == "BF16" ? 2 : 4;
        var header = new Dictionary<string, object>();
        long offset = 0;
        var tensors = shape.Tensors().ToList();
        foreach (var (name, dims) in tensors)
        {
            var bytes = dims.Aggregate(1L, (a, b) => a * b) * elementSize;
            header[name] = new { dtype, shape = dims, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        var headerBytes = JsonSerializer.SerializeToUtf8Bytes(header);
        var padded = (headerBytes.Length + 7) / 8 * 8; // the format allows trailing spaces; 8-aligned data as writers do
        using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        output.Write(length);
        output.Write(headerBytes);
        for (var i = headerBytes.Length; i < padded; i++)
            output.WriteByte((byte)' ');

        var random = new Random(seed);
        var chunk = new float[1 << 20];
        var chunkBytes = new byte[chunk.Length * elementSize];
        foreach (var (name, dims) in tensors)
        {
            var count = dims.Aggregate(1L, (a, b) => a * b);
            var isNorm = dims.Length == 1;
            // Uniform in ±sqrt(3/fan_in): unit-variance activations through every projection, so decode runs on realistic numbers.
            var scale = isNorm ? 0f : MathF.Sqrt(3f / dims[^1]);
            for (long done = 0; done < count; done += chunk.Length)
            {
                var n = (int)Math.Min(chunk.Length, count - done);
                for (var i = 0; i < n; i++)
                    chunk[i] = isNorm ? 1f : (random.NextSingle() * 2 - 1) * scale;
                if (elementSize == 4)
                {
                    output.Write(MemoryMarshal.AsBytes(chunk.AsSpan(0, n)));
                }
                else
                {
                    for (var i = 0; i < n; i++)
                        BinaryPrimitives.WriteUInt16LittleEndian(chunkBytes.AsSpan(i * 2), (ushort)(BitConverter.SingleToUInt32Bits(chunk[i]) >> 16));
                    output.Write(chunkBytes, 0, n * 2);
                }
            }
        }
    }
}
