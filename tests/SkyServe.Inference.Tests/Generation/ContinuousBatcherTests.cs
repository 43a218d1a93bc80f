using System.Text.Json.Nodes;
using SkyServe.Inference.Generation;
using SkyServe.Inference.Model;
using SkyServe.Inference.Tokenization;
using SkyServe.Testing;

namespace SkyServe.Inference.Tests.Generation;

/// <summary>Generation over the real CPU engine and tokenizer, against the transformers reference fixtures.</summary>
public sealed class ContinuousBatcherTests
{
    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "fixtures", name);

    private static (ContinuousBatcher Batcher, JsonArray Cases, Tokenizer Tokenizer) Start(string fixture, int maxBatchSize = 8, int prefillChunk = 3)
    {
        var directory = Fixture(fixture);
        var tokenizer = Tokenizer.Load(directory);
        var model = CpuLlamaModel.Load(directory);
        var cases = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "expected.json")))!["model"]!.AsArray();
        return (new ContinuousBatcher(model, tokenizer, maxBatchSize, prefillChunk), cases, tokenizer);
    }

    private static async Task<(string Text, IReadOnlyList<int> Tokens, string Finish)> CollectAsync(GenerationRequest request)
    {
        var text = "";
        GenerationEvent? last = null;
        await foreach (var e in request.Output.ReadAllAsync())
        {
            text += e.Text;
            last = e;
        }
        return (text, last!.TokenIds, last.FinishReason!);
    }

    private static readonly SamplingParameters Greedy12 = new(MaxTokens: 12, Temperature: 0, IgnoreEos: true);

    [Theory]
    [InlineData("tiny-llama")]
    [InlineData("tiny-qwen2")]
    public async Task Greedy_generation_matches_transformers_alone_and_batched(string fixture)
    {
        var (batcher, cases, tokenizer) = Start(fixture);
        using var _ = batcher;
        foreach (var c in cases)
        {
            var alone = await CollectAsync(batcher.Submit(Ids(c), Greedy12));
            Assert.Equal(c!["greedy"]!.AsArray().Select(t => t!.GetValue<int>()), alone.Tokens);
            Assert.Equal("length", alone.Finish);
            Assert.False(string.IsNullOrEmpty(alone.Text));
        }
        // All prompts at once, of different lengths, prefilled in chunks of 3 beside each other's decode steps.
        var together = cases.Select(c => batcher.Submit(Ids(c), Greedy12)).ToList();
        var results = await Task.WhenAll(together.Select(CollectAsync));
        for (var i = 0; i < cases.Count; i++)
            Assert.Equal(cases[i]!["greedy"]!.AsArray().Select(t => t!.GetValue<int>()), results[i].Tokens);
    }

    [Fact]
    public async Task A_request_joining_a_running_batch_gets_the_same_tokens()
    {
        var (batcher, cases, _) = Start("tiny-llama");
        using var _ = batcher;
        var longOne = batcher.Submit(Ids(cases[2]), Greedy12 with { MaxTokens = 40 });
        await Task.Delay(20);
        var late = batcher.Submit(Ids(cases[0]), Greedy12);
        Assert.Equal(cases[0]!["greedy"]!.AsArray().Select(t => t!.GetValue<int>()), (await CollectAsync(late)).Tokens);
        Assert.Equal(cases[2]!["greedy"]!.AsArray().Select(t => t!.GetValue<int>()), (await CollectAsync(longOne)).Tokens.Take(12));
    }

    [Fact]
    public async Task Seeded_sampling_is_repeatable_and_top_p_near_zero_is_greedy()
    {
        var (batcher, cases, _) = Start("tiny-llama");
        using var _ = batcher;
        var prompt = Ids(cases[1]);
        var sampled = new SamplingParameters(MaxTokens: 20, Temperature: 1.2, TopP: 0.95, Seed: 42, IgnoreEos: true);
        var first = await CollectAsync(batcher.Submit(prompt, sampled));
        var again = await CollectAsync(batcher.Submit(prompt, sampled));
        var other = await CollectAsync(batcher.Submit(prompt, sampled with { Seed = 7 }));
        Assert.Equal(first.Tokens, again.Tokens);
        Assert.NotEqual(first.Tokens, other.Tokens);
        var nucleusOfOne = await CollectAsync(batcher.Submit(prompt, sampled with { TopP = 1e-6, MaxTokens = 12 }));
        Assert.Equal(cases[1]!["greedy"]!.AsArray().Select(t => t!.GetValue<int>()), nucleusOfOne.Tokens);
    }

    [Fact]
    public async Task A_stop_sequence_ends_the_output_before_it()
    {
        var (batcher, cases, _) = Start("tiny-llama");
        using var _ = batcher;
        var full = await CollectAsync(batcher.Submit(Ids(cases[0]), Greedy12));
        var stop = full.Text.Trim().Length >= 4 ? full.Text.Trim().Substring(full.Text.Trim().Length / 2, 2) : full.Text;
        var cut = await CollectAsync(batcher.Submit(Ids(cases[0]), Greedy12 with { Stop = [stop] }));
        Assert.Equal("stop", cut.Finish);
        Assert.Equal(full.Text[..full.Text.IndexOf(stop, StringComparison.Ordinal)], cut.Text);
    }

    [Fact]
    public void A_request_that_does_not_fit_the_context_window_is_refused()
    {
        var (batcher, cases, _) = Start("tiny-llama");
        using var _ = batcher;
        var error = Assert.Throws<ContextWindowExceededException>(() => batcher.Submit(Ids(cases[0]), Greedy12 with { MaxTokens = 1000 }));
        Assert.Contains("maximum context length is 256", error.Message);
    }

    [Fact]
    public async Task A_cancelled_request_leaves_the_batch()
    {
        var (batcher, cases, _) = Start("tiny-llama");
        using var _ = batcher;
        using var cts = new CancellationTokenSource();
        var request = batcher.Submit(Ids(cases[0]), Greedy12 with { MaxTokens = 200 }, cts.Token);
        await cts.CancelAsync();
        Assert.Equal("abort", (await CollectAsync(request)).Finish);
        Assert.Equal(0, batcher.Running);
    }

    private static int[] Ids(JsonNode? c) => c!["ids"]!.AsArray().Select(t => t!.GetValue<int>()).ToArray();
}
