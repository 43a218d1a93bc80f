using SkyServe.Inference.Cuda;

namespace SkyServe.Inference.Tests.Cuda;

/// <summary>How a step is cut into passes that fit the device workspace.</summary>
public sealed class ForwardPassesTests
{
    [Fact]
    public void A_step_that_fits_is_one_pass_with_one_logit_row_per_sequence()
    {
        var passes = ForwardPasses.Plan([5, 1, 1], [false, false, false], maxTokens: 64, maxLogitRows: 8, maxSequences: 8);

        var pass = Assert.Single(passes);
        Assert.Equal([new PassPart(0, 0, 5, 1), new PassPart(1, 0, 1, 1), new PassPart(2, 0, 1, 1)], pass);
    }

    [Fact]
    public void A_long_prompt_spans_passes_in_order_and_only_its_last_part_returns_logits()
    {
        var passes = ForwardPasses.Plan([10, 1], [false, false], maxTokens: 4, maxLogitRows: 8, maxSequences: 8);

        Assert.Equal(
        [
            [new PassPart(0, 0, 4, 0)],
            [new PassPart(0, 4, 4, 0)],
            [new PassPart(0, 8, 2, 1), new PassPart(1, 0, 1, 1)],
        ], passes);
    }

    [Fact]
    public void All_logits_are_split_by_the_logit_rows_a_pass_holds()
    {
        var passes = ForwardPasses.Plan([7], [true], maxTokens: 64, maxLogitRows: 3, maxSequences: 8);

        Assert.Equal([3, 3, 1], passes.Select(p => Assert.Single(p).LogitRows));
        Assert.Equal([0, 3, 6], passes.Select(p => p[0].Offset));
    }

    [Fact]
    public void Decode_steps_beyond_the_sequences_a_pass_holds_go_to_the_next_pass()
    {
        var passes = ForwardPasses.Plan([1, 1, 1, 1, 1], [false, false, false, false, false], maxTokens: 64, maxLogitRows: 2, maxSequences: 8);

        Assert.Equal([2, 2, 1], passes.Select(p => p.Length));
        Assert.Equal([0, 1, 2, 3, 4], passes.SelectMany(p => p).Select(part => part.Step));
        Assert.All(passes.SelectMany(p => p), part => Assert.Equal(1, part.LogitRows));
    }

    [Fact]
    public void Every_token_is_planned_exactly_once_whatever_the_limits()
    {
        var random = new Random(5);
        for (var trial = 0; trial < 200; trial++)
        {
            var tokens = Enumerable.Range(0, random.Next(1, 12)).Select(_ => random.Next(1, 40)).ToArray();
            var all = tokens.Select(_ => random.Next(4) == 0).ToArray();
            var passes = ForwardPasses.Plan(tokens, all, random.Next(1, 50), random.Next(1, 10), random.Next(1, 6));
            for (var s = 0; s < tokens.Length; s++)
            {
                var parts = passes.SelectMany(p => p).Where(part => part.Step == s).ToArray();
                Assert.Equal(tokens[s], parts.Sum(part => part.Count));
                Assert.Equal(Enumerable.Range(0, parts.Length).Select(i => parts.Take(i).Sum(part => part.Count)), parts.Select(part => part.Offset));
                Assert.Equal(all[s] ? tokens[s] : 1, parts.Sum(part => part.LogitRows));
                Assert.True(all[s] || parts[^1].LogitRows == 1);
            }
            Assert.All(passes, pass => Assert.Equal(pass.Length, pass.Select(part => part.Step).Distinct().Count()));
        }
    }
}
