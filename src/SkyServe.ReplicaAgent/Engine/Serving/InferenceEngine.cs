using System.Diagnostics;
using SkyServe.ReplicaAgent.Engine.Generation;
using SkyServe.ReplicaAgent.Engine.Model;
using SkyServe.ReplicaAgent.Engine.Tokenization;

namespace SkyServe.ReplicaAgent.Engine.Serving;

/// <summary>A loaded model ready to serve: its tokenizer, its weights and the batcher that runs them.</summary>
public sealed class InferenceEngine : IDisposable
{
    private InferenceEngine(string name, Tokenizer tokenizer, ICausalLanguageModel model, ContinuousBatcher batcher, TimeSpan loadTime)
    {
        Name = name;
        Tokenizer = tokenizer;
        Model = model;
        Batcher = batcher;
        LoadTime = loadTime;
    }

    /// <summary>The model id clients name (the folder's name unless configured).</summary>
    public string Name { get; }
    public Tokenizer Tokenizer { get; }
    public ICausalLanguageModel Model { get; }
    public ContinuousBatcher Batcher { get; }
    public TimeSpan LoadTime { get; }
    public int ContextWindow => Model.Config.MaxPositionEmbeddings;

    /// <param name="observer">Told about every step and request (the agent's metrics).</param>
    public static InferenceEngine Load(string directory, string? name, int maxBatchSize, IGenerationObserver? observer = null)
    {
        var clock = Stopwatch.StartNew();
        var tokenizer = Tokenizer.Load(directory);
        var model = CpuLlamaModel.Load(directory);
        var batcher = new ContinuousBatcher(model, tokenizer, maxBatchSize, observer: observer);
        return new InferenceEngine(name ?? Path.GetFileName(Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar)),
            tokenizer, model, batcher, clock.Elapsed);
    }

    public void Dispose()
    {
        Batcher.Dispose();
        Model.Dispose();
    }
}
