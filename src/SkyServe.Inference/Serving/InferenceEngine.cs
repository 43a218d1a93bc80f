using System.Diagnostics;
using SkyServe.Core.Spec;
using SkyServe.Inference.Checkpoints;
using SkyServe.Inference.Cuda;
using SkyServe.Inference.Generation;
using SkyServe.Inference.Model;
using SkyServe.Inference.Tokenization;

namespace SkyServe.Inference.Serving;

/// <summary>A loaded model ready to serve: its tokenizer, its weights and the batcher that runs them.</summary>
public sealed class InferenceEngine : IDisposable
{
    private readonly CachedModel? cached;

    private InferenceEngine(string name, Tokenizer tokenizer, ICausalLanguageModel model, ContinuousBatcher batcher, LoadReport report, CachedModel? cached)
    {
        Name = name;
        Tokenizer = tokenizer;
        Model = model;
        Batcher = batcher;
        LoadReport = report;
        this.cached = cached;
    }

    /// <summary>The model id clients name (the folder's name unless configured).</summary>
    public string Name { get; }
    public Tokenizer Tokenizer { get; }
    public ICausalLanguageModel Model { get; }
    public ContinuousBatcher Batcher { get; }

    /// <summary>How loading went: stages, bytes and bandwidth (for the status line and metrics).</summary>
    public LoadReport LoadReport { get; }

    public TimeSpan LoadTime => LoadReport.Total;
    public int ContextWindow => Model.Config.MaxPositionEmbeddings;

    /// <summary>
    /// Loads a model: <paramref name="model"/> is a local HF-layout folder or the http(s) URL of one. With a
    /// <paramref name="cache"/> the model goes through the checkpoint store (fetched and converted on a miss, then read
    /// from the packed layout) and its entry stays pinned until the engine is disposed; without one, a local folder's
    /// safetensors are read in place and a URL is refused.
    /// </summary>
    /// <param name="observer">Told about every step and request (the agent's metrics).</param>
    /// <param name="engine">cpu (managed code) or cuda (an NVIDIA GPU; <see cref="CudaLlamaModel"/>).</param>
    public static InferenceEngine Load(string model, string? name, int maxBatchSize, CheckpointCache? cache = null, IGenerationObserver? observer = null,
        ModelEngine engine = ModelEngine.Cpu, CudaEngineOptions? cudaOptions = null)
    {
        var clock = Stopwatch.StartNew();
        var source = ModelSource.Parse(model);
        CachedModel? cached = null;
        try
        {
            var directory = source switch
            {
                _ when cache is not null => (cached = cache.Acquire(source)).Directory,
                LocalModelFolder local => local.Directory,
                _ => throw new CheckpointException($"{model} is a URL; serving from a URL needs a model cache (--model-cache)"),
            };
            var tokenizer = Tokenizer.Load(directory);
            ICausalLanguageModel languageModel = engine == ModelEngine.Cuda
                ? CudaLlamaModel.Load(directory, (cudaOptions ?? new CudaEngineOptions()) with { MaxBatchSize = maxBatchSize }, out var weights)
                : CpuLlamaModel.Load(directory, out weights);
            var batcher = new ContinuousBatcher(languageModel, tokenizer, maxBatchSize, observer: observer);
            var report = new LoadReport(source.Text, directory, weights.Layout, cached?.Outcome ?? CacheOutcome.NotCached,
                cached?.FetchTime ?? TimeSpan.Zero, cached?.ConvertTime ?? TimeSpan.Zero, cached?.DownloadedBytes ?? 0,
                weights.BytesRead, weights.Elapsed, clock.Elapsed);
            return new InferenceEngine(name ?? source.DefaultName, tokenizer, languageModel, batcher, report, cached);
        }
        catch
        {
            cached?.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Batcher.Dispose();
        Model.Dispose();
        cached?.Dispose();
    }
}
