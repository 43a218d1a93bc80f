using System.Diagnostics;
using SkyServe.Inference.Checkpoints;
using SkyServe.Inference.Cuda;
using SkyServe.Inference.Model;

namespace SkyServe.Bench.Gpu;

/// <summary>Loading a model onto the GPU the way the agent does: through the checkpoint store's packed layout.</summary>
internal static class GpuModels
{
    public sealed record Loaded(CudaLlamaModel Model, WeightLoadStatistics Statistics, string PackedPath, TimeSpan Total, double PlainReadGbps);

    public static Loaded Load(string model, string? cacheRoot, CudaEngineOptions options)
    {
        var directory = model;
        if (cacheRoot is not null)
        {
            var clock = Stopwatch.StartNew();
            using var entry = new CheckpointCache(cacheRoot, 1_000_000_000_000).Acquire(ModelSource.Parse(model));
            directory = entry.Directory;
            Console.Error.WriteLine($"checkpoint store: {entry.Outcome}, converted in {entry.ConvertTime.TotalSeconds:0.0} s ({clock.Elapsed.TotalSeconds:0.0} s)");
        }
        var packed = Path.Combine(directory, PackedCheckpointFormat.FileName);
        var plain = File.Exists(packed) ? PlainRead(packed) : 0;
        var total = Stopwatch.StartNew();
        var loaded = CudaLlamaModel.Load(directory, options, out var statistics);
        return new Loaded(loaded, statistics, packed, total.Elapsed, plain);
    }

    /// <summary>GB/s of a sequential read of the file with a 16 MiB buffer (what `cat > /dev/null` does): the ceiling for loading.</summary>
    private static double PlainRead(string path)
    {
        var buffer = new byte[16 << 20];
        var clock = Stopwatch.StartNew();
        long total = 0;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        int read;
        while ((read = stream.Read(buffer)) > 0)
            total += read;
        return total / clock.Elapsed.TotalSeconds / 1e9;
    }

    /// <summary>Greedy tokens after a prompt: the prompt prefilled in one step, then one decode step per token.</summary>
    public static int[] Greedy(CudaLlamaModel model, IReadOnlyList<int>[] prompts, int count)
    {
        var caches = prompts.Select(_ => model.CreateCache()).ToArray();
        var outputs = prompts.Select(_ => new List<int>()).ToArray();
        try
        {
            var next = model.ForwardAndSample([.. prompts.Select((p, i) => new SequenceStep(caches[i], p))], [.. prompts.Select(_ => TokenDraw.Greedy)]);
            for (var step = 0; step < count; step++)
            {
                for (var i = 0; i < prompts.Length; i++)
                    outputs[i].Add(next[i]);
                if (step + 1 < count)
                    next = model.ForwardAndSample([.. prompts.Select((_, i) => new SequenceStep(caches[i], [next[i]]))], [.. prompts.Select(_ => TokenDraw.Greedy)]);
            }
            return [.. outputs.SelectMany(o => o)];
        }
        finally
        {
            foreach (var cache in caches)
                cache.Dispose();
        }
    }
}
