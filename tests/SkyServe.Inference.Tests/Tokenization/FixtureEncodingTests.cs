namespace SkyServe.Inference.Tests.Tokenization;

/// <summary>Encoding and decoding agree exactly with Hugging Face tokenizers on the reference fixtures.</summary>
public sealed class FixtureEncodingTests
{
    public static TheoryData<string, int> TextCases => TokenizerFixtures.TextCaseIndexes();

    public static TheoryData<string> Fixtures => new(TokenizerFixtures.All);

    [Theory]
    [MemberData(nameof(TextCases))]
    public void Text_encodes_to_the_reference_ids(string fixture, int index)
    {
        var (text, ids, _) = TokenizerFixtures.TextCases(fixture)[index];

        Assert.Equal(ids, TokenizerFixtures.Load(fixture).Encode(text, addSpecialTokens: false));
    }

    [Theory]
    [MemberData(nameof(TextCases))]
    public void Reference_ids_decode_to_the_reference_text(string fixture, int index)
    {
        var (_, ids, decoded) = TokenizerFixtures.TextCases(fixture)[index];

        Assert.Equal(decoded, TokenizerFixtures.Load(fixture).Decode(ids));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void A_bounded_encoding_stops_once_past_the_bound_with_a_prefix_of_the_ids(string fixture)
    {
        var tokenizer = TokenizerFixtures.Load(fixture);
        var text = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 200));
        var all = tokenizer.Encode(text, addSpecialTokens: false);

        var bounded = tokenizer.Encode(text, addSpecialTokens: false, maxTokens: 50);
        Assert.True(bounded.Count > 50, $"{bounded.Count} ids");
        Assert.Equal(all.Take(bounded.Count), bounded);
        Assert.Equal(tokenizer.Encode(text, addSpecialTokens: true), tokenizer.Encode(text, addSpecialTokens: true, maxTokens: all.Count + 1));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Prompts_encode_with_special_tokens_to_the_reference_ids(string fixture)
    {
        var tokenizer = TokenizerFixtures.Load(fixture);

        foreach (var (prompt, ids) in TokenizerFixtures.PromptCases(fixture))
        {
            var encoded = tokenizer.Encode(prompt, addSpecialTokens: true);
            Assert.Equal(ids, encoded);
            Assert.Equal(tokenizer.BosId, encoded[0]);
        }
    }

    [Fact]
    public void A_long_prompt_encodes_as_its_words_do()
    {
        // Thousands of tokens through the cache and merge loop: the same as encoding each repeat alone.
        var tokenizer = TokenizerFixtures.Load(TokenizerFixtures.ByteLevel);
        var sentence = "Spot instances are cheap but can be preempted with two minutes of notice. ";
        var one = tokenizer.Encode(sentence, addSpecialTokens: false);

        var many = tokenizer.Encode(string.Concat(Enumerable.Repeat(sentence, 200)), addSpecialTokens: false);

        Assert.Equal(Enumerable.Repeat(one, 200).SelectMany(ids => ids), many);
    }
}
