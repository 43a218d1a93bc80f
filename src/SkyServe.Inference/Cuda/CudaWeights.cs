using System.Diagnostics;
using System.Runtime.CompilerServices;
using SkyServe.Inference.Cuda.Native;
using SkyServe.Inference.Model;

namespace SkyServe.Inference.Cuda;

/// <summary>One decoder block on the device. q/k/v and gate/up are fused into one matrix each (one product per step).</summary>
internal sealed record CudaLayer(nint InputNorm, nint Qkv, nint QkvBias, nint Output, nint OutputBias, nint PostNorm, nint GateUp, nint GateUpBias, nint Down, nint DownBias);

/// <summary>
/// The model's weights in device memory: matrices as bfloat16 (float32 checkpoints are rounded to bfloat16 on the way),
/// norms, biases and the rotary frequencies as float32. Copied straight from where the checkpoint lies (the mapped packed
/// file, or the safetensors reader's arrays).
/// </summary>
internal sealed unsafe class CudaWeights : IDisposable
{
    private readonly List<DeviceBuffer> buffers = [];

    private CudaWeights()
    {
    }

    public nint Embeddings { get; private set; }
    public nint FinalNorm { get; private set; }
    public nint LanguageModelHead { get; private set; }
    public nint InverseFrequencies { get; private set; }
    public CudaLayer[] Layers { get; private set; } = [];

    /// <summary>Bytes copied to the device, and how long it took.</summary>
    public long BytesCopied { get; private set; }
    public TimeSpan CopyTime { get; private set; }

    /// <summary>Bytes a forward step reads: every block, the final norm and lm_head (bfloat16 matrices).</summary>
    public long StreamedBytes { get; private set; }

    public static CudaWeights Upload(CudaDevice device, ICheckpointTensors checkpoint, ModelConfig config, RotaryEmbedding rotary)
    {
        var weights = new CudaWeights();
        try
        {
            weights.Load(device, checkpoint, config, rotary);
            return weights;
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    private void Load(CudaDevice device, ICheckpointTensors checkpoint, ModelConfig c, RotaryEmbedding rotary)
    {
        var clock = Stopwatch.StartNew();
        long hidden = c.HiddenSize, inter = c.IntermediateSize, q = c.QueryDim, kv = c.KeyValueDim;
        Embeddings = Matrices(device, "model.embed_tokens.weight", (checkpoint.ReadMatrix("model.embed_tokens.weight", c.VocabSize, c.HiddenSize), 0));
        var layers = new CudaLayer[c.NumHiddenLayers];
        long streamed = 0;
        for (var i = 0; i < layers.Length; i++)
        {
            var p = $"model.layers.{i}.";
            WeightMatrix M(string name, long rows, long columns) => checkpoint.ReadMatrix(p + name + ".weight", (int)rows, (int)columns);
            float[]? B(string name, long length, bool present) => present ? checkpoint.ReadFloat32(p + name + ".bias", length) : null;
            layers[i] = new CudaLayer(
                InputNorm: Floats(device, checkpoint.ReadFloat32(p + "input_layernorm.weight", hidden)),
                Qkv: Matrices(device, p + "qkv", (M("self_attn.q_proj", q, hidden), 0), (M("self_attn.k_proj", kv, hidden), q), (M("self_attn.v_proj", kv, hidden), q + kv)),
                QkvBias: c.QkvBias ? Floats(device, [.. B("self_attn.q_proj", q, true)!, .. B("self_attn.k_proj", kv, true)!, .. B("self_attn.v_proj", kv, true)!]) : 0,
                Output: Matrices(device, p + "o_proj", (M("self_attn.o_proj", hidden, q), 0)),
                OutputBias: c.OutputProjectionBias ? Floats(device, B("self_attn.o_proj", hidden, true)!) : 0,
                PostNorm: Floats(device, checkpoint.ReadFloat32(p + "post_attention_layernorm.weight", hidden)),
                GateUp: Matrices(device, p + "gate_up", (M("mlp.gate_proj", inter, hidden), 0), (M("mlp.up_proj", inter, hidden), inter)),
                GateUpBias: c.MlpBias ? Floats(device, [.. B("mlp.gate_proj", inter, true)!, .. B("mlp.up_proj", inter, true)!]) : 0,
                Down: Matrices(device, p + "down_proj", (M("mlp.down_proj", hidden, inter), 0)),
                DownBias: c.MlpBias ? Floats(device, B("mlp.down_proj", hidden, true)!) : 0);
            streamed += 2 * (hidden * (q + 2 * kv) + q * hidden + 3 * hidden * inter) + 4 * (2 * hidden + (c.QkvBias ? q + 2 * kv : 0) + (c.OutputProjectionBias ? hidden : 0) + (c.MlpBias ? 2 * inter + hidden : 0));
        }
        Layers = layers;
        FinalNorm = Floats(device, checkpoint.ReadFloat32("model.norm.weight", hidden));
        LanguageModelHead = c.TieWordEmbeddings ? Embeddings : Matrices(device, "lm_head.weight", (checkpoint.ReadMatrix("lm_head.weight", c.VocabSize, c.HiddenSize), 0));
        InverseFrequencies = Floats(device, rotary.InverseFrequencies);
        StreamedBytes = streamed + 4 * hidden + 2L * c.VocabSize * hidden;
        // Copies from pageable memory may still be in flight when they return; the engine's stream does not wait for them.
        Driver.Check(Driver.cuCtxSynchronize(), "cuCtxSynchronize");
        CopyTime = clock.Elapsed;
    }

    /// <summary>One device matrix holding the given matrices one after another, each at its row offset.</summary>
    private nint Matrices(CudaDevice device, string name, params (WeightMatrix Matrix, long RowOffset)[] parts)
    {
        var columns = parts[0].Matrix.Columns;
        var rows = parts.Sum(part => (long)part.Matrix.Rows);
        var buffer = Keep(device.Allocate(rows * columns * sizeof(ushort), name));
        foreach (var (matrix, rowOffset) in parts)
            Copy(matrix, buffer.Pointer + (nint)(rowOffset * columns * sizeof(ushort)));
        return buffer.Pointer;
    }

    private void Copy(WeightMatrix matrix, nint destination)
    {
        var count = (long)matrix.Rows * matrix.Columns;
        if (matrix.IsBFloat16)
        {
            fixed (ushort* source = &matrix.BFloat16Reference)
                Driver.Check(Driver.cuMemcpyHtoD(destination, source, (nuint)(count * sizeof(ushort))), "cuMemcpyHtoD (weights)");
        }
        else
        {
            // float32 checkpoints: rounded to bfloat16 a slice at a time.
            const int Slice = 1 << 22;
            var rounded = new ushort[Math.Min(Slice, count)];
            ref var values = ref matrix.Float32Reference;
            for (long start = 0; start < count; start += Slice)
            {
                var length = (int)Math.Min(Slice, count - start);
                for (var i = 0; i < length; i++)
                    rounded[i] = BFloat16.Round(Unsafe.Add(ref values, (nint)(start + i)));
                fixed (ushort* source = rounded)
                    Driver.Check(Driver.cuMemcpyHtoD(destination + (nint)(start * sizeof(ushort)), source, (nuint)(length * sizeof(ushort))), "cuMemcpyHtoD (weights)");
            }
        }
        BytesCopied += count * sizeof(ushort);
    }

    private nint Floats(CudaDevice device, float[] values)
    {
        var buffer = Keep(device.Allocate(values.Length * (long)sizeof(float), "a norm or bias"));
        fixed (float* source = values)
            Driver.Check(Driver.cuMemcpyHtoD(buffer.Pointer, source, (nuint)(values.Length * sizeof(float))), "cuMemcpyHtoD (weights)");
        BytesCopied += values.Length * (long)sizeof(float);
        return buffer.Pointer;
    }

    private DeviceBuffer Keep(DeviceBuffer buffer)
    {
        buffers.Add(buffer);
        return buffer;
    }

    public void Dispose()
    {
        foreach (var buffer in buffers)
            buffer.Dispose();
        buffers.Clear();
    }
}

/// <summary>float32 to bfloat16 with round-to-nearest-even, as the kernels and PyTorch do it.</summary>
public static class BFloat16
{
    public static ushort Round(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7fffffffu) > 0x7f800000u)
            return (ushort)((bits >> 16) | 0x40u); // NaN stays NaN
        bits += 0x7fffu + ((bits >> 16) & 1u);
        return (ushort)(bits >> 16);
    }

    public static float Widen(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);
}
