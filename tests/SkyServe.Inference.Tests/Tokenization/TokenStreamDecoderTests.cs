using System.Text;
using SkyServe.Inference.Tokenization;

namespace SkyServe.Inference.Tests.Tokenization;

/// <summary>Streaming decode: fed one id at a time, it yields the full text and never half a character.</summary>
public sealed class TokenStreamDecoderTests
{
    public static TheoryData<string, int> TextCases => TokenizerFixtures.TextCaseIndexes();

    [Theory]
    [MemberData(nameof(TextCases))]
    public void Pieces_join_to_the_full_decode_and_each_is_whole_text(string fixture, int index)
    {
        var tokenizer = TokenizerFixtures.Load(fixture);
        var (_, ids, decoded) = TokenizerFixtures.TextCases(fixture)[index];
        var stream = new TokenStreamDecoder(tokenizer);

        var pieces = ids.Select(stream.Append).ToList();
        pieces.Add(stream.Flush());

        Assert.Equal(decoded, string.Concat(pieces));
        Assert.All(pieces, AssertWholeCharacters);
    }

    [Theory]
    [InlineData(TokenizerFixtures.ByteLevel)]
    [InlineData(TokenizerFixtures.ByteFallback)]
    public void Multi_byte_characters_arrive_only_when_complete(string fixture)
    {
        var tokenizer = TokenizerFixtures.Load(fixture);
        var text = "naïve 日本語 🚀🔥 done";
        var ids = tokenizer.Encode(text, addSpecialTokens: false);
        var stream = new TokenStreamDecoder(tokenizer);

        var pieces = ids.Select(stream.Append).ToList();

        Assert.Equal(text, string.Concat(pieces) + stream.Flush());
        Assert.All(pieces, AssertWholeCharacters);
        // Some step must have held bytes back: the emoji alone spans several tokens.
        Assert.Contains(pieces, piece => piece.Length == 0);
    }

    [Fact]
    public void A_prompt_with_special_tokens_streams_as_it_decodes()
    {
        var tokenizer = TokenizerFixtures.Load(TokenizerFixtures.ByteLevel);
        var ids = tokenizer.Encode("Hello, world!<|eot_id|>", addSpecialTokens: true);
        var withSpecial = new TokenStreamDecoder(tokenizer);
        var withoutSpecial = new TokenStreamDecoder(tokenizer, skipSpecialTokens: true);

        Assert.Equal("<|begin_of_text|>Hello, world!<|eot_id|>", string.Concat(ids.Select(withSpecial.Append)) + withSpecial.Flush());
        Assert.Equal("Hello, world!", string.Concat(ids.Select(withoutSpecial.Append)) + withoutSpecial.Flush());
    }

    [Fact]
    public void Bytes_that_never_complete_come_out_on_flush()
    {
        var tokenizer = TokenizerFixtures.Load(TokenizerFixtures.ByteFallback);
        var stream = new TokenStreamDecoder(tokenizer);
        var firstByteOfJapanese = tokenizer.TokenToId("<0xE6>")!.Value;

        Assert.Equal("", stream.Append(firstByteOfJapanese));
        Assert.Equal("\uFFFD", stream.Flush());
    }

    /// <summary>No U+FFFD and no lone surrogate (which rune enumeration also turns into U+FFFD).</summary>
    private static void AssertWholeCharacters(string piece) =>
        Assert.DoesNotContain(Rune.ReplacementChar, piece.EnumerateRunes());
}
