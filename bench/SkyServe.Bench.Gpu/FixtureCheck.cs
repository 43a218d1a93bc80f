using System.Text.Json;
using SkyServe.Inference.Cuda;
using SkyServe.Inference.Model;

namespace SkyServe.Bench.Gpu;

/// <summary>
/// The reference fixtures (tests/fixtures/*/expected.json, transformers in float32) on the CUDA engine: logits at every
/// prompt position within bfloat16 tolerance, and the greedy continuation token for token, alone and batched.
/// </summary>
internal static class FixtureCheck
{
    /// <summary>bfloat16 keeps 8 bits of mantissa; through a few layers of bf16 activations logits move by about this much of their range.</summary>
    public const double RelativeTolerance = 0.03;

    public static int Run(string[] directories)
    {
        var failures = 0;
        foreach (var directory in directories)
        {
            using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "expected.json")));
            var cases = expected.RootElement.GetProperty("model").EnumerateArray().Select(c => (
                Ids: c.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
                Logits: c.GetProperty("logits").EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetSingle()).ToArray()).ToArray(),
                Greedy: c.GetProperty("greedy").EnumerateArray().Select(x => x.GetInt32()).ToArray())).ToArray();
            using var model = CudaLlamaModel.Load(directory, new CudaEngineOptions(MaxBatchSize: 8, MemoryUtilization: 0.1), out _);
            var name = Path.GetFileName(directory.TrimEnd('/'));
            double worst = 0;
            var greedyAlone = 0;
            foreach (var c in cases)
            {
                using var cache = model.CreateCache();
                var logits = model.Forward([new SequenceStep(cache, c.Ids, ReturnAllLogits: true)])[0];
                var vocab = model.Config.VocabSize;
                for (var row = 0; row < c.Logits.Length; row++)
                {
                    var reference = c.Logits[row];
                    var range = reference.Max(Math.Abs);
                    for (var v = 0; v < vocab; v++)
                        worst = Math.Max(worst, Math.Abs(logits[row * vocab + v] - reference[v]) / Math.Max(1, range));
                }
                var greedy = GpuModels.Greedy(model, [c.Ids], c.Greedy.Length);
                if (greedy.SequenceEqual(c.Greedy))
                    greedyAlone++;
                else
                    Console.WriteLine($"  {name} '{string.Join(",", c.Ids)}': greedy {string.Join(",", greedy)} != reference {string.Join(",", c.Greedy)}");
            }
            var batched = GpuModels.Greedy(model, [.. cases.Select(c => (IReadOnlyList<int>)c.Ids)], cases[0].Greedy.Length);
            var length = cases[0].Greedy.Length;
            var greedyBatched = cases.Where((c, i) => batched.Skip(i * length).Take(length).SequenceEqual(c.Greedy)).Count();
            var ok = worst <= RelativeTolerance && greedyAlone == cases.Length && greedyBatched == cases.Length;
            failures += ok ? 0 : 1;
            Console.WriteLine($"{(ok ? "PASS" : "FAIL")} {name}: {cases.Length} prompts; logits max |diff| / range {worst:0.0000} (tolerance {RelativeTolerance}); " +
                $"greedy exact alone {greedyAlone}/{cases.Length}, batched {greedyBatched}/{cases.Length}");
        }
        return failures == 0 ? 0 : 1;
    }
}
