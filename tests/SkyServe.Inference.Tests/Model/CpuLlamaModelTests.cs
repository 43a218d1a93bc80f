using SkyServe.Inference.Model;
using Xunit.Abstractions;

namespace SkyServe.Inference.Tests.Model;

public sealed class CpuLlamaModelTests(ITestOutputHelper output)
{
    private static readonly ReferenceFixture Llama = ReferenceFixture.Load(ReferenceFixture.Llama);

    private static CpuLlamaModel LoadLlama(Func<ModelConfig, ModelConfig>? adjust = null)
    {
        var config = ModelConfig.Load(Path.Combine(Llama.Directory, CpuLlamaModel.ConfigFileName));
        config = adjust?.Invoke(config) ?? config;
        using var checkpoint = SafetensorsCheckpoint.Open(Llama.Directory);
        return new CpuLlamaModel(config, LlamaWeights.Load(checkpoint, config));
    }

    [Fact]
    public void A_sliding_window_changes_only_the_positions_past_it()
    {
        const int window = 4;
        using var model = LoadLlama(config => config with { SlidingWindow = window });
        var reference = Llama.Cases.MaxBy(c => c.Ids.Length)!;
        var vocab = model.Config.VocabSize;

        using var cache = model.CreateCache();
        var prefill = model.Forward([new SequenceStep(cache, reference.Ids, ReturnAllLogits: true)])[0];
        using var stepCache = model.CreateCache();
        var worstWithin = 0f;
        var worstStepByStep = 0f;
        for (var position = 0; position < reference.Ids.Length; position++)
        {
            var row = prefill.AsSpan(position * vocab, vocab).ToArray();
            if (position < window)
                worstWithin = Math.Max(worstWithin, LogitComparison.MaxAbsDifference(row, reference.Logits[position]));
            var decoded = model.Forward([new SequenceStep(stepCache, [reference.Ids[position]])])[0];
            worstStepByStep = Math.Max(worstStepByStep, LogitComparison.MaxAbsDifference(decoded, row));
        }
        var last = reference.Ids.Length - 1;
        var changedAtEnd = LogitComparison.MaxAbsDifference(prefill.AsSpan(last * vocab, vocab).ToArray(), reference.Logits[last]);
        output.WriteLine($"window {window}: within {worstWithin:E2}, last position moved by {changedAtEnd:E2}, decode vs prefill {worstStepByStep:E2}");

        Assert.True(worstWithin <= 1e-3f);
        Assert.True(changedAtEnd > 1e-2f);
        Assert.True(worstStepByStep <= 1e-5f);
    }

    [Fact]
    public void Tied_embeddings_share_the_embedding_matrix()
    {
        var fixture = ReferenceFixture.Load(ReferenceFixture.Qwen2);
        var config = ModelConfig.Load(Path.Combine(fixture.Directory, CpuLlamaModel.ConfigFileName));
        using var checkpoint = SafetensorsCheckpoint.Open(fixture.Directory);

        var weights = LlamaWeights.Load(checkpoint, config);

        Assert.False(checkpoint.Contains("lm_head.weight"));
        Assert.Same(weights.Embeddings, weights.LanguageModelHead.Weight);
        Assert.NotNull(weights.Layers[0].QueryProjection.Bias);
        Assert.Null(weights.Layers[0].OutputProjection.Bias);
    }

    [Fact]
    public void An_untied_model_without_lm_head_is_refused()
    {
        var fixture = ReferenceFixture.Load(ReferenceFixture.Qwen2);
        var config = ModelConfig.Load(Path.Combine(fixture.Directory, CpuLlamaModel.ConfigFileName)) with { TieWordEmbeddings = false };
        using var checkpoint = SafetensorsCheckpoint.Open(fixture.Directory);

        var error = Assert.Throws<CheckpointException>(() => LlamaWeights.Load(checkpoint, config));
        Assert.Contains("'lm_head.weight'", error.Message);
    }

    [Fact]
    public void Invalid_steps_are_refused_and_leave_every_cache_as_it_was()
    {
        using var model = LoadLlama();
        using var other = LoadLlama();
        using var cache = model.CreateCache();
        model.Forward([new SequenceStep(cache, [0, 5, 6])]);
        using var foreign = other.CreateCache();
        using var fresh = model.CreateCache();

        Assert.Throws<ArgumentException>(() => model.Forward([new SequenceStep(cache, [1]), new SequenceStep(foreign, [1])]));
        Assert.Throws<ArgumentException>(() => model.Forward([new SequenceStep(cache, [1]), new SequenceStep(cache, [2])]));
        Assert.Throws<ArgumentException>(() => model.Forward([new SequenceStep(cache, [1]), new SequenceStep(fresh, [])]));
        Assert.Throws<ArgumentException>(() => model.Forward([new SequenceStep(cache, [1]), new SequenceStep(fresh, [model.Config.VocabSize])]));

        Assert.Equal(3, cache.Length);
        Assert.Equal(0, fresh.Length);
        Assert.Empty(model.Forward([]));
    }

    [Fact]
    public void All_logits_come_back_row_by_row_for_the_sequences_that_ask()
    {
        using var model = LoadLlama();
        var vocab = model.Config.VocabSize;
        using var first = model.CreateCache();
        using var second = model.CreateCache();

        var logits = model.Forward([new SequenceStep(first, Llama.Cases[0].Ids, ReturnAllLogits: true), new SequenceStep(second, Llama.Cases[1].Ids)]);

        Assert.Equal(Llama.Cases[0].Ids.Length * vocab, logits[0].Length);
        Assert.Equal(vocab, logits[1].Length);
        Assert.True(LogitComparison.MaxAbsDifference(logits[1], Llama.Cases[1].Logits[^1]) <= 1e-3f);
        Assert.Equal((Llama.Cases[0].Ids.Length, Llama.Cases[1].Ids.Length), (first.Length, second.Length));
    }
}
