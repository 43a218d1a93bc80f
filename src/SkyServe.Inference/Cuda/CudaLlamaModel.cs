using System.Diagnostics;
using SkyServe.Inference.Checkpoints;
using SkyServe.Inference.Cuda.Native;
using SkyServe.Inference.Model;

namespace SkyServe.Inference.Cuda;

/// <summary>
/// The CUDA engine's Llama-architecture decoder (llama, mistral, qwen2) on one NVIDIA GPU: bfloat16 weights and KV cache,
/// float32 residual stream and accumulation. Keys and values live in a paged cache (<see cref="KvBlockPool"/>); every
/// token row of a step is one row of the activations, so prefill chunks and decode steps of many sequences share one pass
/// over the weights. Decode steps run as CUDA graphs captured per batch size; matrix products of up to 8 rows use the
/// engine's own bandwidth-bound kernel, larger ones cuBLAS.
/// </summary>
public sealed unsafe class CudaLlamaModel : ITokenSamplingModel
{
    private const int HeaderInts = 4;

    private readonly CudaDevice device;
    private readonly CudaKernels kernels;
    private readonly CudaWeights weights;
    private readonly CudaEngineOptions options;
    private readonly KvBlockPool pool;
    private readonly DeviceBuffer keyCache, valueCache;
    private readonly long kvLayerBytes;
    private readonly Workspace ws;
    private readonly Dictionary<int, nint> decodeGraphs = [];
    private readonly Lock forwardLock = new();
    private readonly float eps;
    private readonly float attentionScale;
    private PinnedBuffer? logitsHost;
    private bool disposed;

    private CudaLlamaModel(ModelConfig config, CudaDevice device, CudaKernels kernels, CudaWeights weights, CudaEngineOptions options, Workspace workspace, DevicePeakFigures peaks)
    {
        Config = config;
        this.device = device;
        this.kernels = kernels;
        this.weights = weights;
        this.options = options;
        ws = workspace;
        Peaks = peaks;
        eps = (float)config.RmsNormEps;
        attentionScale = 1f / MathF.Sqrt(config.HeadDim);

        var (free, total) = device.Memory();
        KvBytesPerToken = 2L * config.NumHiddenLayers * config.KeyValueDim * sizeof(ushort);
        var blockBytes = KvBytesPerToken * CudaEngineOptions.KvBlockTokens;
        var blocks = KvCachePlan.Blocks(total, free, options.MemoryUtilization, blockBytes, CudaEngineOptions.KvBlockTokens, config.MaxPositionEmbeddings);
        pool = new KvBlockPool(blocks, CudaEngineOptions.KvBlockTokens);
        kvLayerBytes = (long)blocks * CudaEngineOptions.KvBlockTokens * config.KeyValueDim * sizeof(ushort);
        keyCache = device.Allocate(kvLayerBytes * config.NumHiddenLayers, "the KV cache's keys");
        valueCache = device.Allocate(kvLayerBytes * config.NumHiddenLayers, "the KV cache's values");
    }

    public ModelConfig Config { get; }

    public long StreamedWeightBytes => weights.StreamedBytes;

    /// <summary>Keys and values of one position over all layers, in bfloat16.</summary>
    public long KvBytesPerToken { get; }

    public long KvCacheCapacityTokens => pool.CapacityTokens;

    /// <summary>Positions of the KV cache the live sequences hold (whole blocks).</summary>
    public long KvCacheUsedTokens => (long)pool.UsedBlocks * pool.BlockTokens;

    public string DeviceName => device.Name;

    /// <summary>The device's copy bandwidth and bf16 matrix rate, measured at load.</summary>
    public DevicePeakFigures Peaks { get; }

    /// <summary>How the weights reached the device: bytes and time.</summary>
    public long WeightBytesCopied => weights.BytesCopied;
    public TimeSpan WeightCopyTime => weights.CopyTime;

    /// <summary>
    /// Loads config.json and the weights (the packed layout, mapped, when the folder has one; else its safetensors) onto the
    /// GPU, compiles the kernels, measures the device and sizes the KV cache from the memory left.
    /// </summary>
    public static CudaLlamaModel Load(string directory, CudaEngineOptions? options, out WeightLoadStatistics statistics)
    {
        options ??= new CudaEngineOptions();
        var config = ModelConfig.Load(Path.Combine(directory, CpuLlamaModel.ConfigFileName));
        CheckSupported(config);
        var device = CudaDevice.Open(options.Device);
        CudaKernels? kernels = null;
        CudaWeights? weights = null;
        Workspace? workspace = null;
        try
        {
            kernels = CudaKernels.Compile(device, config, CudaEngineOptions.KvBlockTokens);
            var clock = Stopwatch.StartNew();
            var packedPath = Path.Combine(directory, PackedCheckpointFormat.FileName);
            WeightLayout layout;
            long bytesRead;
            if (File.Exists(packedPath))
            {
                using var packed = PackedCheckpoint.Open(packedPath);
                var tensors = packed.MapAll();
                using (tensors.Mapping)
                    weights = CudaWeights.Upload(device, tensors, config, new RotaryEmbedding(config.Rope, config.HeadDim));
                (layout, bytesRead) = (WeightLayout.Packed, tensors.BytesRead);
            }
            else
            {
                using var checkpoint = SafetensorsCheckpoint.Open(directory);
                weights = CudaWeights.Upload(device, checkpoint, config, new RotaryEmbedding(config.Rope, config.HeadDim));
                (layout, bytesRead) = (WeightLayout.Safetensors, checkpoint.BytesRead);
            }
            statistics = new WeightLoadStatistics(layout, bytesRead, clock.Elapsed);
            workspace = new Workspace(device, config, options);
            var peaks = DevicePeakFigures.Measure(device);
            return new CudaLlamaModel(config, device, kernels, weights, options, workspace, peaks);
        }
        catch
        {
            workspace?.Dispose();
            weights?.Dispose();
            kernels?.Dispose();
            device.Dispose();
            throw;
        }
    }

    /// <summary>What the kernels assume of the shape; anything else is refused before the GPU is touched.</summary>
    public static void CheckSupported(ModelConfig config)
    {
        string? problem = null;
        if (config.HeadDim % 2 != 0 || config.HeadDim > 256)
            problem = $"head_dim {config.HeadDim} (the kernels take even head sizes up to 256)";
        else if (config.NumAttentionHeads % config.NumKeyValueHeads != 0)
            problem = $"{config.NumAttentionHeads} attention heads over {config.NumKeyValueHeads} key/value heads";
        else if (config.HiddenSize % 8 != 0 || config.IntermediateSize % 8 != 0 || config.QueryDim % 8 != 0)
            problem = "hidden, intermediate and attention sizes must be multiples of 8 (16-byte rows)";
        if (problem is not null)
            throw new CheckpointException($"the CUDA engine cannot run this model: {problem}");
    }

    public KvCache CreateCache() => new CudaKvCache(this, pool);

    public bool TryCreateCache(int maxLength, out KvCache cache)
    {
        var created = new CudaKvCache(this, pool);
        if (created.TryReserve(maxLength))
        {
            cache = created;
            return true;
        }
        created.Dispose();
        cache = null!;
        return false;
    }

    public float[][] Forward(IReadOnlyList<SequenceStep> steps) => Run(steps, draws: null).Logits!;

    public int[] ForwardAndSample(IReadOnlyList<SequenceStep> steps, IReadOnlyList<TokenDraw> draws)
    {
        ArgumentNullException.ThrowIfNull(draws);
        if (draws.Count != steps.Count)
            throw new ArgumentException($"{draws.Count} draws for {steps.Count} steps", nameof(draws));
        if (steps.Any(step => step.ReturnAllLogits))
            throw new ArgumentException("sampling takes each step's last position only", nameof(steps));
        return Run(steps, draws).Tokens!;
    }

    private (float[][]? Logits, int[]? Tokens) Run(IReadOnlyList<SequenceStep> steps, IReadOnlyList<TokenDraw>? draws)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0)
            return ([], []);
        lock (forwardLock)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            var caches = Validate(steps);
            device.MakeCurrent();
            var logits = draws is null ? new List<float>[steps.Count] : null;
            var tokens = draws is null ? null : new int[steps.Count];
            var passes = ForwardPasses.Plan([.. steps.Select(s => s.Tokens.Count)], [.. steps.Select(s => s.ReturnAllLogits)],
                options.MaxPassTokens, options.MaxLogitRows, options.MaxLogitRows);
            foreach (var pass in passes)
                RunPass(pass, steps, caches, draws, logits, tokens);
            return (logits?.Select(rows => rows.ToArray()).ToArray(), tokens);
        }
    }

    private CudaKvCache[] Validate(IReadOnlyList<SequenceStep> steps)
    {
        var caches = SequenceSteps.Caches<CudaKvCache>(steps, this, cache => cache.Owner, Config.VocabSize);
        for (var s = 0; s < steps.Count; s++)
            if (caches[s].Length + steps[s].Tokens.Count > Config.MaxPositionEmbeddings)
                throw new ArgumentException($"step {s}: {caches[s].Length + steps[s].Tokens.Count} positions exceed the context window of {Config.MaxPositionEmbeddings}", nameof(steps));
        return caches;
    }

    private void RunPass(PassPart[] parts, IReadOnlyList<SequenceStep> steps, CudaKvCache[] caches, IReadOnlyList<TokenDraw>? draws, List<float>[]? logits, int[]? tokens)
    {
        foreach (var part in parts)
            caches[part.Step].EnsureCapacity(caches[part.Step].Length + part.Count);
        var decode = parts.All(p => p.Count == 1 && p.LogitRows == 1) && options.CudaGraphs ? options.GraphBatchFor(parts.Length) : null;
        var (rows, logitRows) = ws.Inputs.Fill(parts, steps, caches, draws, decode);
        ws.Inputs.Upload(device);
        if (decode is { } batch)
            LaunchDecodeGraph(batch);
        else
            RunLayers(rows, logitRows, sample: draws is not null);

        if (tokens is not null)
        {
            var sampled = ws.Inputs.DownloadTokens(device, ws.Sampled.Pointer, logitRows);
            var row = 0;
            foreach (var part in parts)
            {
                row += part.LogitRows;
                if (part.LogitRows > 0)
                    tokens[part.Step] = sampled[row - 1];
            }
        }
        else
        {
            var vocab = Config.VocabSize;
            var host = LogitsHost((long)logitRows * vocab);
            Driver.Check(Driver.cuMemcpyDtoHAsync((void*)host.Pointer, ws.Logits.Pointer, (nuint)((long)logitRows * vocab * sizeof(float)), device.Stream), "cuMemcpyDtoHAsync (logits)");
            device.Synchronize();
            var row = 0;
            foreach (var part in parts)
            {
                var list = logits![part.Step] ??= [];
                if (part.LogitRows > 0)
                    list.AddRange(host.AsSpan<float>((long)row * vocab * sizeof(float), part.LogitRows * vocab));
                row += part.LogitRows;
            }
        }
        // Only now do the new positions count.
        foreach (var part in parts)
            caches[part.Step].Commit(caches[part.Step].Length + part.Count);
    }

    private PinnedBuffer LogitsHost(long floats)
    {
        if (logitsHost is null || logitsHost.Bytes < floats * sizeof(float))
        {
            logitsHost?.Dispose();
            logitsHost = new PinnedBuffer(Math.Max(floats, (long)Config.VocabSize * 8) * sizeof(float));
        }
        return logitsHost;
    }

    private void LaunchDecodeGraph(int batch)
    {
        if (!decodeGraphs.TryGetValue(batch, out var graph))
        {
            Driver.Check(Driver.cuStreamBeginCapture(device.Stream, Driver.StreamCaptureModeRelaxed), "cuStreamBeginCapture");
            nint captured;
            try
            {
                RunLayers(batch, batch, sample: true);
            }
            finally
            {
                Driver.Check(Driver.cuStreamEndCapture(device.Stream, out captured), "cuStreamEndCapture");
            }
            try
            {
                Driver.Check(Driver.cuGraphInstantiateWithFlags(out graph, captured, 0), "cuGraphInstantiateWithFlags");
            }
            finally
            {
                Driver.cuGraphDestroy(captured);
            }
            decodeGraphs[batch] = graph;
        }
        Driver.Check(Driver.cuGraphLaunch(graph, device.Stream), "cuGraphLaunch");
    }

    /// <summary>Queues one pass over every layer for <paramref name="rows"/> token rows whose inputs are on the device.</summary>
    private void RunLayers(int rows, int logitRows, bool sample)
    {
        var c = Config;
        int hidden = c.HiddenSize, inter = c.IntermediateSize, qkvDim = c.QueryDim + 2 * c.KeyValueDim;
        var input = ws.Inputs;
        kernels.Embed(rows, input.Tokens, weights.Embeddings, ws.Hidden.Pointer, hidden);
        kernels.AddRmsNorm(rows, ws.Hidden.Pointer, 0, 0, weights.Layers[0].InputNorm, ws.Normed.Pointer, hidden, eps);
        for (var l = 0; l < weights.Layers.Length; l++)
        {
            var layer = weights.Layers[l];
            var keys = keyCache.Pointer + (nint)(l * kvLayerBytes);
            var values = valueCache.Pointer + (nint)(l * kvLayerBytes);
            MatMul(layer.Qkv, ws.Normed.Pointer, ws.Qkv.Pointer, qkvDim, hidden, rows, outputFloat: false);
            kernels.RopeStore(rows, ws.Qkv.Pointer, layer.QkvBias, input.Positions, input.RowSequence, input.BlockTables, input.Header, weights.InverseFrequencies, keys, values);
            kernels.Attention(rows, c.NumAttentionHeads, ws.Qkv.Pointer, input.Positions, input.RowSequence, input.BlockTables, input.Header, keys, values, ws.Attention.Pointer, attentionScale);
            MatMul(layer.Output, ws.Attention.Pointer, ws.Projected.Pointer, hidden, c.QueryDim, rows, outputFloat: false);
            kernels.AddRmsNorm(rows, ws.Hidden.Pointer, ws.Projected.Pointer, layer.OutputBias, layer.PostNorm, ws.Normed.Pointer, hidden, eps);
            MatMul(layer.GateUp, ws.Normed.Pointer, ws.GateUp.Pointer, 2 * inter, hidden, rows, outputFloat: false);
            kernels.SiluMul(rows, ws.GateUp.Pointer, layer.GateUpBias, ws.Activation.Pointer, inter);
            MatMul(layer.Down, ws.Activation.Pointer, ws.Projected.Pointer, hidden, inter, rows, outputFloat: false);
            var nextNorm = l + 1 < weights.Layers.Length ? weights.Layers[l + 1].InputNorm : weights.FinalNorm;
            kernels.AddRmsNorm(rows, ws.Hidden.Pointer, ws.Projected.Pointer, layer.DownBias, nextNorm, ws.Normed.Pointer, hidden, eps);
        }
        kernels.GatherRows(logitRows, ws.Normed.Pointer, input.LogitRows, ws.HeadInput.Pointer, hidden);
        MatMul(weights.LanguageModelHead, ws.HeadInput.Pointer, ws.Logits.Pointer, c.VocabSize, hidden, logitRows, outputFloat: true);
        if (sample)
            kernels.Sample(logitRows, ws.Logits.Pointer, c.VocabSize, input.SampleParameters, ws.Sampled.Pointer);
    }

    /// <summary>y[rows, n] = x[rows, k] · w[n, k]ᵀ, bfloat16 in, float32 accumulation, bfloat16 or float32 out.</summary>
    private void MatMul(nint w, nint x, nint y, int n, int k, int rows, bool outputFloat)
    {
        if (options.Gemv && rows <= CudaKernels.GemvMaxRows && k % 8 == 0)
        {
            kernels.Gemv(w, x, y, n, k, rows, outputFloat);
            return;
        }
        float alpha = 1, beta = 0;
        // Column-major view: yᵀ[n, rows] = w[k, n]ᵀ · xᵀ[k, rows].
        CuBlas.Check(CuBlas.cublasGemmEx(device.Blas, CuBlas.OperationTranspose, CuBlas.OperationNone, n, rows, k, &alpha,
            w, CuBlas.DataBFloat16, k, x, CuBlas.DataBFloat16, k, &beta, y, outputFloat ? CuBlas.DataFloat32 : CuBlas.DataBFloat16, n,
            CuBlas.ComputeFloat32, CuBlas.GemmDefault), "cublasGemmEx");
    }

    public void Dispose()
    {
        lock (forwardLock)
        {
            if (disposed)
                return;
            disposed = true;
            device.MakeCurrent();
            device.Synchronize();
            foreach (var graph in decodeGraphs.Values)
                Driver.cuGraphExecDestroy(graph);
            logitsHost?.Dispose();
            ws.Dispose();
            keyCache.Dispose();
            valueCache.Dispose();
            weights.Dispose();
            kernels.Dispose();
            device.Dispose();
        }
    }

    /// <summary>Device buffers for the largest pass: activations, logits and the step's inputs.</summary>
    private sealed class Workspace : IDisposable
    {
        private readonly List<DeviceBuffer> buffers = [];

        public Workspace(CudaDevice device, ModelConfig c, CudaEngineOptions options)
        {
            long rows = options.MaxPassTokens, logitRows = options.MaxLogitRows;
            DeviceBuffer Take(long bytes, string what)
            {
                var buffer = device.Allocate(bytes, what);
                buffers.Add(buffer);
                return buffer;
            }
            try
            {
                Hidden = Take(rows * c.HiddenSize * sizeof(float), "activations");
                Normed = Take(rows * c.HiddenSize * sizeof(ushort), "activations");
                Qkv = Take(rows * (c.QueryDim + 2L * c.KeyValueDim) * sizeof(ushort), "activations");
                Attention = Take(rows * c.QueryDim * sizeof(ushort), "activations");
                Projected = Take(rows * c.HiddenSize * sizeof(ushort), "activations");
                GateUp = Take(rows * 2L * c.IntermediateSize * sizeof(ushort), "activations");
                Activation = Take(rows * c.IntermediateSize * sizeof(ushort), "activations");
                HeadInput = Take(logitRows * c.HiddenSize * sizeof(ushort), "activations");
                Logits = Take(logitRows * c.VocabSize * sizeof(float), "logits");
                Sampled = Take(logitRows * sizeof(int), "sampled tokens");
                Inputs = new StepInputs(options, (c.MaxPositionEmbeddings + CudaEngineOptions.KvBlockTokens - 1) / CudaEngineOptions.KvBlockTokens,
                    Take(StepInputs.Bytes(options, (c.MaxPositionEmbeddings + CudaEngineOptions.KvBlockTokens - 1) / CudaEngineOptions.KvBlockTokens), "step inputs"));
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        public DeviceBuffer Hidden { get; } = null!;
        public DeviceBuffer Normed { get; } = null!;
        public DeviceBuffer Qkv { get; } = null!;
        public DeviceBuffer Attention { get; } = null!;
        public DeviceBuffer Projected { get; } = null!;
        public DeviceBuffer GateUp { get; } = null!;
        public DeviceBuffer Activation { get; } = null!;
        public DeviceBuffer HeadInput { get; } = null!;
        public DeviceBuffer Logits { get; } = null!;
        public DeviceBuffer Sampled { get; } = null!;
        public StepInputs Inputs { get; } = null!;

        public void Dispose()
        {
            Inputs?.Dispose();
            foreach (var buffer in buffers)
                buffer.Dispose();
            buffers.Clear();
        }
    }
}
