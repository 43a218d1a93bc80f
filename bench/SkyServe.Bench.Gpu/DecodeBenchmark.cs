using System.Diagnostics;
using System.Text.Json;
using SkyServe.Inference.Cuda;
using SkyServe.Inference.Model;

namespace SkyServe.Bench.Gpu;

/// <summary>
/// Decode tokens/s at several batch sizes and TTFT for short and long prompts, on the CUDA engine, each beside its bound:
/// decode reads every weight once per step plus each sequence's keys and values (bytes / measured copy bandwidth), prefill
/// is compute-bound (2 x parameters x tokens / measured bf16 GEMM rate). transformers' figures from the same run
/// (bench/gpu/make_model.py's baseline.json) come beside ours, with the ratio.
/// </summary>
internal static class DecodeBenchmark
{
    private const int PrefillChunk = 256; // the batcher's chunk: TTFT is measured the way a request is served

    public static int Run(Arguments arguments)
    {
        var batches = arguments.Ints("batches", [1, 8, 32, 128]);
        var promptTokens = arguments.Int("prompt-tokens", 128);
        var newTokens = arguments.Int("new-tokens", 64);
        var ttftPrompts = arguments.Ints("ttft", [128, 2048]);
        var loaded = GpuModels.Load(arguments.Require("model"), arguments.Get("cache"), new CudaEngineOptions(MaxBatchSize: batches.Max()));
        using var model = loaded.Model;
        var peaks = model.Peaks;
        var baseline = arguments.Get("baseline") is { } path && File.Exists(path) ? JsonDocument.Parse(File.ReadAllBytes(path)).RootElement : (JsonElement?)null;
        var weightBytes = model.StreamedWeightBytes;
        var parameters = weightBytes / 2.0;
        var random = new Random(7);

        Console.WriteLine($"## CUDA engine on {model.DeviceName}");
        Console.WriteLine();
        Console.WriteLine($"Measured at load: copy bandwidth {peaks.BandwidthBytesPerSecond / 1e12:0.00} TB/s, bf16 GEMM {peaks.Flops / 1e12:0} TFLOP/s. " +
            $"Weights streamed per step: {weightBytes / 1e9:0.00} GB; KV cache {model.KvCacheCapacityTokens} positions.");
        var loadGbps = loaded.Model.WeightBytesCopied / loaded.Model.WeightCopyTime.TotalSeconds / 1e9;
        Console.WriteLine($"Weights to the GPU: {loaded.Model.WeightBytesCopied / 1e9:0.00} GB in {loaded.Model.WeightCopyTime.TotalSeconds:0.00} s ({loadGbps:0.0} GB/s) " +
            $"from the {loaded.Statistics.Layout} layout; a plain read of the packed file ran at {loaded.PlainReadGbps:0.0} GB/s ({loadGbps / loaded.PlainReadGbps:P0} of it); whole load {loaded.Total.TotalSeconds:0.0} s.");
        Console.WriteLine();
        Console.WriteLine("| batch | tokens/s | step ms (median) | bound tokens/s | MBU | transformers tokens/s | ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        var results = new Dictionary<string, object>();
        foreach (var batch in batches)
        {
            var caches = Enumerable.Range(0, batch).Select(_ => model.CreateCache()).ToArray();
            try
            {
                var prompts = caches.Select(_ => Enumerable.Range(0, promptTokens).Select(_ => random.Next(model.Config.VocabSize)).ToArray()).ToArray();
                var next = model.ForwardAndSample([.. caches.Select((c, i) => new SequenceStep(c, prompts[i]))], [.. caches.Select(_ => TokenDraw.Greedy)]);
                var steps = new List<double>();
                for (var t = 0; t < newTokens; t++)
                {
                    var clock = Stopwatch.StartNew();
                    next = model.ForwardAndSample([.. caches.Select((c, i) => new SequenceStep(c, [next[i]]))], [.. caches.Select(_ => TokenDraw.Greedy)]);
                    steps.Add(clock.Elapsed.TotalSeconds);
                }
                var median = steps.Skip(2).Order().ElementAt((steps.Count - 2) / 2); // the first steps capture the graph
                var context = promptTokens + newTokens / 2.0;
                var bytes = weightBytes + batch * context * model.KvBytesPerToken;
                var bound = batch * peaks.BandwidthBytesPerSecond / bytes;
                var tokensPerSecond = batch / median;
                var mbu = bytes / median / peaks.BandwidthBytesPerSecond;
                var hf = baseline is { } b && b.GetProperty("decode").TryGetProperty(batch.ToString(), out var v) ? v.GetDouble() : double.NaN;
                Console.WriteLine($"| {batch} | {tokensPerSecond:0.0} | {median * 1e3:0.00} | {bound:0} | {mbu:P1} | {(double.IsNaN(hf) ? "-" : hf.ToString("0.0"))} | {(double.IsNaN(hf) ? "-" : (tokensPerSecond / hf).ToString("0.0") + "x")} |");
                results[$"decode_b{batch}_tps"] = Math.Round(tokensPerSecond, 1);
                results[$"decode_b{batch}_mbu"] = Math.Round(mbu, 3);
                if (!double.IsNaN(hf))
                    results[$"decode_b{batch}_vs_transformers"] = Math.Round(tokensPerSecond / hf, 2);
            }
            finally
            {
                foreach (var cache in caches)
                    cache.Dispose();
            }
        }

        Console.WriteLine();
        Console.WriteLine("| prompt tokens | TTFT ms | compute bound ms | MFU | transformers TTFT ms |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var length in ttftPrompts)
        {
            var prompt = Enumerable.Range(0, length).Select(_ => random.Next(model.Config.VocabSize)).ToArray();
            double best = double.MaxValue;
            for (var run = 0; run < 3; run++)
            {
                using var cache = model.CreateCache();
                var clock = Stopwatch.StartNew();
                for (var start = 0; start < length; start += PrefillChunk)
                    model.ForwardAndSample([new SequenceStep(cache, prompt[start..Math.Min(length, start + PrefillChunk)])], [TokenDraw.Greedy]);
                best = Math.Min(best, clock.Elapsed.TotalSeconds);
            }
            var bound = 2 * parameters * length / peaks.Flops;
            var hf = baseline is { } b && b.GetProperty("ttft").TryGetProperty(length.ToString(), out var v) ? v.GetDouble() * 1e3 : double.NaN;
            Console.WriteLine($"| {length} | {best * 1e3:0.0} | {bound * 1e3:0.0} | {bound / best:P1} | {(double.IsNaN(hf) ? "-" : hf.ToString("0.0"))} |");
            results[$"ttft_{length}_ms"] = Math.Round(best * 1e3, 1);
        }
        results["load_gbps"] = Math.Round(loadGbps, 2);
        results["plain_read_gbps"] = Math.Round(loaded.PlainReadGbps, 2);
        results["copy_bandwidth_tbps"] = Math.Round(peaks.BandwidthBytesPerSecond / 1e12, 3);
        results["bf16_tflops"] = Math.Round(peaks.Flops / 1e12, 1);
        Console.WriteLine();
        Console.WriteLine(JsonSerializer.Serialize(results));
        return 0;
    }
}
