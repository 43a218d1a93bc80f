using System.Diagnostics;
using System.Numerics.Tensors;
using SkyServe.Inference.Checkpoints;

namespace SkyServe.Inference.Model;

/// <summary>
/// The CPU engine's Llama-architecture decoder (llama, mistral, qwen2), computing in float32 (bfloat16 weights are
/// widened exactly as they are read), following transformers' modeling_llama: every new token of every sequence in a
/// step is one row of a single activation matrix, so the weights stream through the cores once per step however many
/// sequences share it.
/// </summary>
public sealed class CpuLlamaModel : ICausalLanguageModel
{
    public const string ConfigFileName = "config.json";

    private readonly LlamaWeights weights;
    private readonly RotaryEmbedding rotary;
    private readonly CausalAttention attention;
    private readonly ForwardWorkspace workspace;
    private readonly float eps;
    private readonly Lock forwardLock = new();
    private readonly IDisposable? weightStorage;
    private bool disposed;

    public ModelConfig Config { get; }

    public long StreamedWeightBytes => weights.StreamedBytes;

    /// <param name="rotary">Replaces the frequencies config.json implies; for matching a reference computed differently.</param>
    /// <param name="weightStorage">What the weights live in when not in arrays (a mapped checkpoint): released on <see cref="Dispose"/>, after the last forward pass.</param>
    public CpuLlamaModel(ModelConfig config, LlamaWeights weights, RotaryEmbedding? rotary = null, IDisposable? weightStorage = null)
    {
        if (rotary is not null && rotary.InverseFrequencies.Length != config.HeadDim / 2)
            throw new ArgumentException($"rotary has {rotary.InverseFrequencies.Length} frequencies; head_dim {config.HeadDim} needs {config.HeadDim / 2}", nameof(rotary));
        Config = config;
        this.weights = weights;
        this.weightStorage = weightStorage;
        this.rotary = rotary ?? new RotaryEmbedding(config.Rope, config.HeadDim);
        attention = new CausalAttention(config);
        workspace = new ForwardWorkspace(config);
        eps = (float)config.RmsNormEps;
    }

    /// <summary>Loads a Hugging Face model folder: config.json and its safetensors weights.</summary>
    public static CpuLlamaModel Load(string directory) => Load(directory, out _);

    /// <summary>
    /// Loads config.json and the weights: from the packed layout (<see cref="PackedCheckpointFormat.FileName"/>) when the
    /// folder has one, as the checkpoint store's cache entries do, else from its safetensors files.
    /// </summary>
    public static CpuLlamaModel Load(string directory, out WeightLoadStatistics statistics, PackedLoadOptions? packedOptions = null)
    {
        var config = ModelConfig.Load(Path.Combine(directory, ConfigFileName));
        var packedPath = Path.Combine(directory, PackedCheckpointFormat.FileName);
        if (File.Exists(packedPath))
        {
            PackedTensors tensors;
            using (var packed = PackedCheckpoint.Open(packedPath))
                tensors = packed.LoadAll(packedOptions);
            statistics = new WeightLoadStatistics(WeightLayout.Packed, tensors.BytesRead, tensors.Elapsed);
            try
            {
                return new CpuLlamaModel(config, LlamaWeights.Load(tensors, config), weightStorage: tensors.Mapping);
            }
            catch
            {
                tensors.Mapping?.Dispose();
                throw;
            }
        }

        var clock = Stopwatch.StartNew();
        using var checkpoint = SafetensorsCheckpoint.Open(directory);
        var weights = LlamaWeights.Load(checkpoint, config);
        statistics = new WeightLoadStatistics(WeightLayout.Safetensors, checkpoint.BytesRead, clock.Elapsed);
        return new CpuLlamaModel(config, weights);
    }

    public KvCache CreateCache() => new CpuKvCache(this, Config.NumHiddenLayers, Config.KeyValueDim);

    public float[][] Forward(IReadOnlyList<SequenceStep> steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0)
            return [];

        // Overlapping calls would share the workspace and could race on a cache; the scheduler calls from one loop anyway.
        lock (forwardLock)
        {
            ObjectDisposedException.ThrowIf(disposed, this); // mapped weights are gone after Dispose
            var batch = BatchLayout.Plan(steps, this, Config.VocabSize);
            foreach (var (cache, sequence) in batch.Caches.Zip(batch.Sequences))
                cache.EnsureCapacity(cache.Length + sequence.TokenCount);
            workspace.EnsureTokens(batch.TokenCount);

            Embed(batch);
            ComputeRotaryAngles(batch);
            for (var layer = 0; layer < weights.Layers.Count; layer++)
                RunLayer(batch, layer);
            var logits = ComputeLogits(batch);

            // Only now do the new positions count: a failed step leaves every cache as it was.
            foreach (var (cache, sequence) in batch.Caches.Zip(batch.Sequences))
                cache.Commit(cache.Length + sequence.TokenCount);
            return logits;
        }
    }

    /// <summary>Releases a mapped checkpoint once no forward pass runs (caches are managed arrays). The CUDA engine frees device memory here.</summary>
    public void Dispose()
    {
        lock (forwardLock)
        {
            disposed = true;
            weightStorage?.Dispose();
        }
    }

    private void Embed(BatchLayout batch)
    {
        var hidden = Config.HiddenSize;
        for (var row = 0; row < batch.TokenCount; row++)
            weights.Embeddings.CopyRow(batch.Tokens[row], workspace.Hidden.AsSpan(row * hidden, hidden));
    }

    private void ComputeRotaryAngles(BatchLayout batch)
    {
        var half = Config.HeadDim / 2;
        for (var row = 0; row < batch.TokenCount; row++)
            rotary.Angles(batch.PositionOfRow[row], workspace.Cos.AsSpan(row * half, half), workspace.Sin.AsSpan(row * half, half));
    }

    private void RunLayer(BatchLayout batch, int layerIndex)
    {
        var layer = weights.Layers[layerIndex];
        var rows = batch.TokenCount;
        var hiddenValues = rows * Config.HiddenSize;
        var ws = workspace;

        RmsNorm.ApplyRows(ws.Hidden, layer.InputNorm, eps, ws.Normed, rows);
        layer.QueryProjection.Forward(ws.Normed, ws.Query, rows);
        layer.KeyProjection.Forward(ws.Normed, ws.Key, rows);
        layer.ValueProjection.Forward(ws.Normed, ws.Value, rows);
        RotateAndStore(batch, layerIndex);
        attention.Apply(batch, layerIndex, ws.Query, ws.Attention);
        layer.OutputProjection.Forward(ws.Attention, ws.Projected, rows);
        TensorPrimitives.Add(ws.Hidden.AsSpan(0, hiddenValues), ws.Projected.AsSpan(0, hiddenValues), ws.Hidden.AsSpan(0, hiddenValues));

        RmsNorm.ApplyRows(ws.Hidden, layer.PostAttentionNorm, eps, ws.Normed, rows);
        layer.GateProjection.Forward(ws.Normed, ws.Gate, rows);
        layer.UpProjection.Forward(ws.Normed, ws.Up, rows);
        var intermediateValues = rows * Config.IntermediateSize;
        var gate = ws.Gate.AsSpan(0, intermediateValues);
        var activation = ws.Activation.AsSpan(0, intermediateValues);
        // SwiGLU: silu(gate) * up, with silu(g) = g * sigmoid(g).
        TensorPrimitives.Sigmoid(gate, activation);
        TensorPrimitives.Multiply(gate, activation, activation);
        TensorPrimitives.Multiply(activation, ws.Up.AsSpan(0, intermediateValues), activation);
        layer.DownProjection.Forward(ws.Activation, ws.Projected, rows);
        TensorPrimitives.Add(ws.Hidden.AsSpan(0, hiddenValues), ws.Projected.AsSpan(0, hiddenValues), ws.Hidden.AsSpan(0, hiddenValues));
    }

    /// <summary>Rotates queries and keys by their positions, then appends keys and values to their sequences' caches.</summary>
    private void RotateAndStore(BatchLayout batch, int layerIndex)
    {
        var half = Config.HeadDim / 2;
        var queryDim = Config.QueryDim;
        var keyValueDim = Config.KeyValueDim;
        var ws = workspace;
        for (var row = 0; row < batch.TokenCount; row++)
        {
            var cos = ws.Cos.AsSpan(row * half, half);
            var sin = ws.Sin.AsSpan(row * half, half);
            rotary.Apply(ws.Query.AsSpan(row * queryDim, queryDim), cos, sin);
            var key = ws.Key.AsSpan(row * keyValueDim, keyValueDim);
            rotary.Apply(key, cos, sin);

            var cache = batch.Caches[batch.SequenceOfRow[row]];
            var slot = batch.PositionOfRow[row] * keyValueDim;
            key.CopyTo(cache.Keys(layerIndex).AsSpan(slot, keyValueDim));
            ws.Value.AsSpan(row * keyValueDim, keyValueDim).CopyTo(cache.Values(layerIndex).AsSpan(slot, keyValueDim));
        }
    }

    /// <summary>Final norm and lm_head on the requested rows only: the vocabulary projection is the costliest matrix.</summary>
    private float[][] ComputeLogits(BatchLayout batch)
    {
        var hidden = Config.HiddenSize;
        var vocab = Config.VocabSize;
        var logitRows = batch.LogitRowCount;
        var selected = workspace.Normed; // the layers are done with it; it holds at least one row per token
        var next = 0;
        foreach (var (firstRow, tokenCount, rows) in batch.Sequences)
            for (var row = firstRow + tokenCount - rows; row < firstRow + tokenCount; row++, next++)
                RmsNorm.Apply(workspace.Hidden.AsSpan(row * hidden, hidden), weights.FinalNorm, eps, selected.AsSpan(next * hidden, hidden));

        var all = workspace.Logits((long)logitRows * vocab);
        weights.LanguageModelHead.Forward(selected, all, logitRows);

        // Each caller gets its own array; the shared buffer is reused by the next step.
        var result = new float[batch.Sequences.Length][];
        var offset = 0;
        for (var s = 0; s < result.Length; s++)
        {
            var length = batch.Sequences[s].LogitRows * vocab;
            result[s] = GC.AllocateUninitializedArray<float>(length);
            all.AsSpan(offset, length).CopyTo(result[s]);
            offset += length;
        }
        return result;
    }
}
