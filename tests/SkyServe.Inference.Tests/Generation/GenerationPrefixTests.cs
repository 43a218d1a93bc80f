using System.Text.Json.Nodes;
using SkyServe.Inference.Generation;
using SkyServe.Inference.Model;
using SkyServe.Inference.Tokenization;
using SkyServe.Testing;

namespace SkyServe.Inference.Tests.Generation;

/// <summary>
/// Continuing a generation from the exact ids an interrupted run sampled (<see cref="GenerationPrefix"/>), for every cut
/// point: the text delivered before the cut plus the continuation's equals the uninterrupted run's, greedy and seeded.
/// </summary>
public sealed class GenerationPrefixTests
{
    private static readonly string Fixture = Path.Combine(RepoPaths.Root, "tests", "fixtures", "tiny-llama");

    private sealed record Run(string Text, List<(string Text, IReadOnlyList<int> Ids)> Events, int CompletionTokens);

    private static async Task<Run> CollectAsync(GenerationRequest request)
    {
        var events = new List<(string, IReadOnlyList<int>)>();
        GenerationEvent? last = null;
        await foreach (var e in request.Output.ReadAllAsync())
        {
            events.Add((e.Text, e.TokenIds));
            last = e;
        }
        return new Run(string.Concat(events.Select(e => e.Item1)), events, last!.CompletionTokens);
    }

    [Theory]
    [InlineData(0.0, null)]
    [InlineData(1.0, 77)]
    public async Task Every_cut_point_continues_to_the_uninterrupted_text(double temperature, int? seed)
    {
        var tokenizer = Tokenizer.Load(Fixture);
        using var batcher = new ContinuousBatcher(CpuLlamaModel.Load(Fixture), tokenizer, maxBatchSize: 8, prefillChunk: 4);
        var vocabulary = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixture, "config.json")))!["vocab_size"]!.GetValue<int>();
        var prompt = tokenizer.Encode("日本語のテキスト and spot", addSpecialTokens: true);
        var parameters = new SamplingParameters(MaxTokens: 20, Temperature: temperature, Seed: seed, IgnoreEos: true);
        var whole = await CollectAsync(batcher.Submit(prompt, parameters, everyToken: true));
        Assert.Equal(20, whole.Events.Count); // one event per token, held-back characters included

        for (var cut = 1; cut < whole.Events.Count; cut++)
        {
            var delivered = string.Concat(whole.Events.Take(cut).Select(e => e.Text));
            var ids = whole.Events[cut - 1].Ids;
            var prefix = GenerationPrefix.Create(tokenizer, vocabulary, ids, delivered);
            var rest = await CollectAsync(batcher.Submit(prompt, parameters with { MaxTokens = 20 - ids.Count }, prefix: prefix));
            Assert.Equal(whole.Text, delivered + rest.Text);
            Assert.Equal(20, rest.CompletionTokens);
        }
    }

    [Fact]
    public void Ids_whose_text_is_not_what_was_delivered_are_refused()
    {
        var tokenizer = Tokenizer.Load(Fixture);
        var ids = tokenizer.Encode("Hello", addSpecialTokens: false);
        Assert.Throws<ArgumentException>(() => GenerationPrefix.Create(tokenizer, 512, ids, "Goodbye"));
        Assert.Throws<ArgumentException>(() => GenerationPrefix.Create(tokenizer, 512, [-1], ""));
    }
}
