using System.Diagnostics;
using SkyServe.Inference.Model;
using Xunit.Abstractions;

namespace SkyServe.Inference.Tests.Model;

/// <summary>The CPU engine against transformers on the tiny fixtures: logits, greedy tokens, batching.</summary>
public sealed class ReferenceModelTests(ITestOutputHelper output)
{
    /// <summary>Both sides compute in float32 from the same weights; only summation order differs.</summary>
    private const float ReferenceTolerance = 1e-3f;

    /// <summary>Batched rows run the same per-row arithmetic as solo ones.</summary>
    private const float BatchTolerance = 1e-5f;

    private const int GreedyTokens = 12;

    [Theory]
    [InlineData(ReferenceFixture.Llama)]
    [InlineData(ReferenceFixture.Qwen2)]
    public void Prefill_logits_at_every_position_match_transformers(string fixtureName)
    {
        var fixture = ReferenceFixture.Load(fixtureName);
        using var model = fixture.LoadModel();

        var worst = 0f;
        foreach (var reference in fixture.Cases)
        {
            using var cache = model.CreateCache();
            var logits = model.Forward([new SequenceStep(cache, reference.Ids, ReturnAllLogits: true)])[0];
            var difference = LogitComparison.MaxAbsDifference(logits, reference.Logits);
            output.WriteLine($"{fixtureName} \"{reference.Prompt}\": {reference.Ids.Length} positions, max |logit - transformers| = {difference:E2}");
            worst = Math.Max(worst, difference);
            Assert.Equal(reference.Ids.Length, cache.Length);
        }
        Assert.True(worst <= ReferenceTolerance, $"max logit difference {worst:E2} exceeds {ReferenceTolerance:E0}");
    }

    [Theory]
    [InlineData(ReferenceFixture.Llama)]
    [InlineData(ReferenceFixture.Qwen2)]
    public void One_token_steps_through_the_cache_give_the_prefill_logits(string fixtureName)
    {
        var fixture = ReferenceFixture.Load(fixtureName);
        using var model = fixture.LoadModel();

        var worst = 0f;
        foreach (var reference in fixture.Cases)
        {
            using var cache = model.CreateCache();
            for (var position = 0; position < reference.Ids.Length; position++)
            {
                var logits = model.Forward([new SequenceStep(cache, [reference.Ids[position]])])[0];
                worst = Math.Max(worst, LogitComparison.MaxAbsDifference(logits, reference.Logits[position]));
            }
        }
        output.WriteLine($"{fixtureName}: token-by-token max |logit - transformers| = {worst:E2}");
        Assert.True(worst <= ReferenceTolerance, $"max logit difference {worst:E2} exceeds {ReferenceTolerance:E0}");
    }

    [Theory]
    [InlineData(ReferenceFixture.Llama)]
    [InlineData(ReferenceFixture.Qwen2)]
    public void Greedy_continuation_matches_transformers(string fixtureName)
    {
        var fixture = ReferenceFixture.Load(fixtureName);
        using var model = fixture.LoadModel();

        foreach (var reference in fixture.Cases)
        {
            var run = GreedyRun.Alone(model, reference.Ids, GreedyTokens);
            output.WriteLine($"{fixtureName} \"{reference.Prompt}\" -> [{string.Join(", ", run.Tokens)}]");
            Assert.Equal(reference.Greedy, run.Tokens);
        }
    }

    /// <summary>
    /// Four prompts of different lengths share forward steps: two prefill together, a third joins while they
    /// decode, the fourth joins later with its prompt split over two steps. Each must see exactly what it sees alone.
    /// </summary>
    [Theory]
    [InlineData(ReferenceFixture.Llama)]
    [InlineData(ReferenceFixture.Qwen2)]
    public void Batched_sequences_joining_at_different_steps_match_each_run_alone(string fixtureName)
    {
        var fixture = ReferenceFixture.Load(fixtureName);
        using var model = fixture.LoadModel();
        var prompts = fixture.Cases.Select(reference => reference.Ids).ToArray();
        var alone = prompts.Select(prompt => GreedyRun.Alone(model, prompt, GreedyTokens)).ToArray();

        var sequences = new[]
        {
            new BatchedSequence(model.CreateCache(), joinAtStep: 0, [prompts[0]]),
            new BatchedSequence(model.CreateCache(), joinAtStep: 0, [prompts[1]]),
            new BatchedSequence(model.CreateCache(), joinAtStep: 2, [prompts[2]]),
            new BatchedSequence(model.CreateCache(), joinAtStep: 4, [prompts[3][..3], prompts[3][3..]]),
        };
        var mostInOneStep = 0;
        for (var step = 0; sequences.Any(sequence => sequence.Generated.Count < GreedyTokens); step++)
        {
            // Newest first, so prefill rows come before decode rows in the shared matrix.
            var active = sequences.Where(sequence => sequence.JoinAtStep <= step && sequence.Generated.Count < GreedyTokens).Reverse().ToArray();
            var logits = model.Forward(active.Select(sequence => new SequenceStep(sequence.Cache, sequence.NextTokens())).ToArray());
            for (var i = 0; i < active.Length; i++)
                active[i].Receive(logits[i]);
            mostInOneStep = Math.Max(mostInOneStep, active.Length);
        }
        Assert.Equal(4, mostInOneStep);

        var worst = 0f;
        for (var i = 0; i < sequences.Length; i++)
        {
            Assert.Equal(alone[i].Tokens, sequences[i].Generated);
            Assert.Equal(fixture.Cases[i].Greedy, sequences[i].Generated);
            for (var t = 0; t < GreedyTokens; t++)
                worst = Math.Max(worst, LogitComparison.MaxAbsDifference(sequences[i].Logits[t], alone[i].Logits[t]));
            sequences[i].Cache.Dispose();
        }
        output.WriteLine($"{fixtureName}: batched vs alone max |logit difference| = {worst:E2}");
        Assert.True(worst <= BatchTolerance, $"batched logits differ from solo ones by {worst:E2}");
    }

    /// <summary>A long greedy decode (reported as tokens/s), checked against one prefill of the whole sequence.</summary>
    [Theory]
    [InlineData(ReferenceFixture.Llama)]
    [InlineData(ReferenceFixture.Qwen2)]
    public void Long_decode_agrees_with_a_prefill_of_the_same_tokens_and_reports_its_speed(string fixtureName)
    {
        var fixture = ReferenceFixture.Load(fixtureName);
        using var model = CpuLlamaModel.Load(fixture.Directory);
        var prompt = fixture.Cases[0].Ids;
        var newTokens = model.Config.MaxPositionEmbeddings - prompt.Length;
        GreedyRun.Alone(model, prompt, newTokens); // warm-up: tiered JIT, workspace

        var watch = Stopwatch.StartNew();
        var run = GreedyRun.Alone(model, prompt, newTokens);
        watch.Stop();
        output.WriteLine($"{fixtureName}: {newTokens} tokens decoded alone in {watch.Elapsed.TotalMilliseconds:F0} ms " +
            $"({newTokens / watch.Elapsed.TotalSeconds:F0} tokens/s, up to position {model.Config.MaxPositionEmbeddings - 1})");
        ReportBatchedDecodeSpeed(model, fixture);

        using var cache = model.CreateCache();
        int[] everything = [.. prompt, .. run.Tokens[..^1]];
        var prefill = model.Forward([new SequenceStep(cache, everything, ReturnAllLogits: true)])[0];
        var vocab = model.Config.VocabSize;
        var worst = 0f;
        for (var t = 0; t < newTokens; t++)
            worst = Math.Max(worst, LogitComparison.MaxAbsDifference(run.Logits[t], prefill.AsSpan((prompt.Length - 1 + t) * vocab, vocab).ToArray()));
        output.WriteLine($"{fixtureName}: decode vs prefill max |logit difference| over {newTokens} positions = {worst:E2}");
        Assert.True(worst <= ReferenceTolerance, $"decode and prefill disagree by {worst:E2}");
    }

    private void ReportBatchedDecodeSpeed(CpuLlamaModel model, ReferenceFixture fixture)
    {
        const int steps = 100;
        RunBatchedDecode(model, fixture, steps); // warm-up
        var watch = Stopwatch.StartNew();
        RunBatchedDecode(model, fixture, steps);
        watch.Stop();
        output.WriteLine($"{fixture.Name}: {fixture.Cases.Count} sequences x {steps} decode steps in {watch.Elapsed.TotalMilliseconds:F0} ms " +
            $"({fixture.Cases.Count * steps / watch.Elapsed.TotalSeconds:F0} tokens/s, prefill included)");
    }

    private static void RunBatchedDecode(CpuLlamaModel model, ReferenceFixture fixture, int steps)
    {
        var caches = fixture.Cases.Select(_ => model.CreateCache()).ToArray();
        var next = model.Forward(fixture.Cases.Select((reference, i) => new SequenceStep(caches[i], reference.Ids)).ToArray())
            .Select(logits => GreedySampler.ArgMax(logits)).ToArray();
        for (var step = 0; step < steps; step++)
            next = model.Forward(caches.Select((cache, i) => new SequenceStep(cache, [next[i]])).ToArray())
                .Select(logits => GreedySampler.ArgMax(logits)).ToArray();
        foreach (var cache in caches)
            cache.Dispose();
    }
}
