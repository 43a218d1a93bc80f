namespace SkyServe.Inference.Tests.Tokenization;

/// <summary>Special tokens written in the text, skipping them on decode, and what the model folder declares.</summary>
public sealed class AddedTokenTests
{
    [Theory]
    [InlineData(TokenizerFixtures.ByteLevel, "<|eot_id|>")]
    [InlineData(TokenizerFixtures.ByteLevel, "<|start_header_id|>")]
    [InlineData(TokenizerFixtures.ByteFallback, "</s>")]
    public void A_special_token_in_the_text_becomes_its_single_id(string fixture, string special)
    {
        var tokenizer = TokenizerFixtures.Load(fixture);
        var id = tokenizer.TokenToId(special)!.Value;

        var ids = tokenizer.Encode($"Hello{special}world", addSpecialTokens: false);

        Assert.Single(ids, id);
        var at = ids.ToList().IndexOf(id);
        // The text around it is tokenized on its own, as if the special token were a wall.
        Assert.Equal(tokenizer.Encode("Hello", addSpecialTokens: false), ids.Take(at));
        Assert.Equal(tokenizer.Encode("world", addSpecialTokens: false), ids.Skip(at + 1));
    }

    [Fact]
    public void A_rendered_chat_prompt_keeps_every_header_token_whole()
    {
        var tokenizer = TokenizerFixtures.Load(TokenizerFixtures.ByteLevel);
        var rendered = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>";

        var ids = tokenizer.Encode(rendered, addSpecialTokens: false);

        Assert.Equal([0, 2], ids.Take(2));
        Assert.Equal(4, ids[^1]);
        Assert.Equal(rendered, tokenizer.Decode(ids));
        Assert.Equal("user\n\nHello!", tokenizer.Decode(ids, skipSpecialTokens: true));
    }

    [Fact]
    public void Byte_level_fixture_declares_bos_eos_size_and_chat_template()
    {
        var tokenizer = TokenizerFixtures.Load(TokenizerFixtures.ByteLevel);

        Assert.Equal(0, tokenizer.BosId);
        Assert.Equal([4], tokenizer.EosIds);
        Assert.Equal(400, tokenizer.VocabularySize);
        Assert.Equal("<|begin_of_text|>", tokenizer.IdToToken(0));
        Assert.Equal(File.ReadAllText(Path.Combine(TokenizerFixtures.FolderOf(TokenizerFixtures.ByteLevel), "chat_template.jinja")), tokenizer.ChatTemplate);
    }

    [Fact]
    public void Byte_fallback_fixture_declares_bos_eos_and_byte_tokens()
    {
        var tokenizer = TokenizerFixtures.Load(TokenizerFixtures.ByteFallback);

        Assert.Equal(1, tokenizer.BosId);
        Assert.Equal([2], tokenizer.EosIds);
        Assert.Equal(556, tokenizer.VocabularySize);
        Assert.Equal(3 + 0xE6, tokenizer.TokenToId("<0xE6>"));
        Assert.Null(tokenizer.TokenToId("no such token"));
        Assert.Null(tokenizer.IdToToken(100_000));
        Assert.Null(tokenizer.ChatTemplate);
    }

    [Fact]
    public void Decoding_skips_special_tokens_on_request_and_ignores_unknown_ids()
    {
        var tokenizer = TokenizerFixtures.Load(TokenizerFixtures.ByteFallback);
        var ids = tokenizer.Encode("Hello, world!", addSpecialTokens: true).Append(2).Append(99_999).ToList();

        Assert.Equal("<s> Hello, world!</s>", tokenizer.Decode(ids));
        Assert.Equal("Hello, world!", tokenizer.Decode(ids, skipSpecialTokens: true));
    }
}
