using System.Text.Json;
using SkyServe.Inference.Cuda;
using SkyServe.Inference.Model;

namespace SkyServe.Bench.Gpu;

/// <summary>
/// The CUDA engine against transformers (bench/gpu/make_model.py's reference.json, bf16 on the same GPU) on a larger
/// random-weight model: the prompt's last logits, transformers' greedy continuation teacher-forced (our argmax at every
/// position whose top-2 margin is clear of bf16 noise must match), our own free-running greedy tokens, and every prompt
/// again batched in one step against its result alone.
/// </summary>
internal static class ReferenceCompare
{
    public static int Run(Arguments arguments)
    {
        using var reference = JsonDocument.Parse(File.ReadAllBytes(arguments.Require("reference")));
        var loaded = GpuModels.Load(arguments.Require("model"), arguments.Get("cache"), new CudaEngineOptions(MaxBatchSize: 16));
        using var model = loaded.Model;
        var vocab = model.Config.VocabSize;
        var prompts = reference.RootElement.GetProperty("prompts").EnumerateArray().Select(p => (
            Ids: p.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
            Greedy: p.GetProperty("greedy").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
            Last: p.GetProperty("last_logits").EnumerateArray().Select(x => x.GetSingle()).ToArray(),
            Argmax: p.GetProperty("teacher_argmax").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
            Margin: p.GetProperty("teacher_margin").EnumerateArray().Select(x => x.GetSingle()).ToArray())).ToArray();

        var failures = 0;
        var alone = new List<float[]>();
        foreach (var (p, index) in prompts.Select((p, i) => (p, i)))
        {
            var sequence = p.Ids.Concat(p.Greedy.Take(p.Greedy.Length - 1)).ToArray();
            float[] logits;
            using (var cache = model.CreateCache())
                logits = model.Forward([new SequenceStep(cache, sequence, ReturnAllLogits: true)])[0];
            alone.Add(logits);
            var lastRow = p.Ids.Length - 1;
            var range = p.Last.Max(Math.Abs);
            var error = Enumerable.Range(0, vocab).Max(v => Math.Abs(logits[lastRow * vocab + v] - p.Last[v]));
            var noise = Math.Max(3 * error, 1e-3f);
            int decisive = 0, agreeing = 0, agreeingAll = 0;
            for (var t = 0; t < p.Argmax.Length; t++)
            {
                var ours = ArgMax(logits.AsSpan((lastRow + t) * vocab, vocab));
                agreeingAll += ours == p.Argmax[t] ? 1 : 0;
                if (p.Margin[t] <= noise)
                    continue;
                decisive++;
                agreeing += ours == p.Argmax[t] ? 1 : 0;
            }
            var greedy = GpuModels.Greedy(model, [p.Ids], p.Greedy.Length);
            var sameUntil = greedy.Zip(p.Greedy).TakeWhile(pair => pair.First == pair.Second).Count();
            var firstUnclear = Array.FindIndex(p.Margin, m => m <= noise);
            var greedyOk = sameUntil == p.Greedy.Length || (firstUnclear >= 0 && sameUntil >= firstUnclear);
            var ok = agreeing == decisive && greedyOk;
            failures += ok ? 0 : 1;
            Console.WriteLine($"{(ok ? "PASS" : "FAIL")} prompt {index} ({p.Ids.Length} tokens): last logits max |diff| {error:0.0000} (range {range:0.00}, {error / range:P2}); " +
                $"teacher-forced argmax {agreeing}/{decisive} where the margin > {noise:0.000} ({agreeingAll}/{p.Argmax.Length} overall); " +
                $"free-running greedy equal for {sameUntil}/{p.Greedy.Length} tokens{(firstUnclear >= 0 ? $" (first unclear margin at {firstUnclear})" : "")}");
        }

        // All prompts in one step: each must come out as it did alone (other rows, other kernels' tile choices).
        var caches = prompts.Select(_ => model.CreateCache()).ToArray();
        var batched = model.Forward([.. prompts.Select((p, i) => new SequenceStep(caches[i], p.Ids.Concat(p.Greedy.Take(p.Greedy.Length - 1)).ToArray(), ReturnAllLogits: true))]);
        foreach (var cache in caches)
            cache.Dispose();
        var batchError = batched.Select((rows, i) => rows.Zip(alone[i]).Max(pair => Math.Abs(pair.First - pair.Second))).Max();
        var batchedGreedy = GpuModels.Greedy(model, [.. prompts.Select(p => (IReadOnlyList<int>)p.Ids)], prompts[0].Greedy.Length);
        var aloneGreedy = prompts.SelectMany(p => GpuModels.Greedy(model, [p.Ids], p.Greedy.Length)).ToArray();
        var batchedSame = batchedGreedy.Zip(aloneGreedy).Count(pair => pair.First == pair.Second);
        Console.WriteLine($"batched ({prompts.Length} prompts in one step): logits max |diff| against alone {batchError:0.0000}; greedy tokens equal to alone {batchedSame}/{aloneGreedy.Length}");
        return failures == 0 ? 0 : 1;
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
            if (values[i] > values[best])
                best = i;
        return best;
    }
}
