using System.Text.Json.Nodes;
using SkyServe.Inference.Tokenization;

namespace SkyServe.Inference.Tests.Tokenization;

/// <summary>
/// The other spellings real tokenizer.json files use (Llama 3's Split + ByteLevel sequence, merges as
/// strings, Metaspace) encode the fixtures' texts exactly as the fixtures' own spelling does.
/// </summary>
public sealed class EquivalentTokenizerJsonTests
{
    private const string Gpt2SplitRegex = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    [Fact]
    public void Split_regex_then_byte_level_without_regex_matches_byte_level_with_regex()
    {
        var rewritten = RewrittenTokenizerJson.Load(TokenizerFixtures.ByteLevel, json =>
        {
            json["pre_tokenizer"] = JsonNode.Parse($$"""
                {"type": "Sequence", "pretokenizers": [
                  {"type": "Split", "pattern": {"Regex": {{JsonValue.Create(Gpt2SplitRegex).ToJsonString()}}}, "behavior": "Isolated", "invert": false},
                  {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}
                """);
            json["post_processor"] = JsonNode.Parse("""
                {"type": "Sequence", "processors": [
                  {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": true},
                  {"type": "TemplateProcessing",
                   "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                   "pair": [],
                   "special_tokens": {"<|begin_of_text|>": {"id": "<|begin_of_text|>", "ids": [0], "tokens": ["<|begin_of_text|>"]}}}]}
                """);
        });

        AssertSameEncodings(TokenizerFixtures.ByteLevel, rewritten);
    }

    [Theory]
    [InlineData(TokenizerFixtures.ByteLevel)]
    [InlineData(TokenizerFixtures.ByteFallback)]
    public void Merges_written_as_strings_match_merges_written_as_pairs(string fixture)
    {
        var rewritten = RewrittenTokenizerJson.Load(fixture, json =>
        {
            var merges = json["model"]!["merges"]!.AsArray();
            json["model"]!["merges"] = new JsonArray(merges.Select(m => (JsonNode)JsonValue.Create($"{m![0]} {m[1]}")).ToArray());
        });

        AssertSameEncodings(fixture, rewritten);
    }

    [Fact]
    public void Metaspace_pre_tokenizer_matches_prepend_and_replace_normalizers()
    {
        var reference = TokenizerFixtures.Load(TokenizerFixtures.ByteFallback);
        var metaspace = RewrittenTokenizerJson.Load(TokenizerFixtures.ByteFallback, json =>
        {
            json["normalizer"] = null;
            json["pre_tokenizer"] = JsonNode.Parse("""{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": false}""");
        });

        foreach (var (text, ids, _) in TokenizerFixtures.TextCases(TokenizerFixtures.ByteFallback))
        {
            // Unlike Prepend, Metaspace adds no ▁ to text that already starts with one (a space).
            var expected = text.StartsWith(' ') ? reference.Encode(text[1..], addSpecialTokens: false) : ids;
            Assert.Equal(expected, metaspace.Encode(text, addSpecialTokens: false));
        }
    }

    [Fact]
    public void Ignore_merges_takes_a_whole_word_that_is_in_the_vocabulary()
    {
        // "Ġyou" is in the vocabulary; with ignore_merges the merge order no longer matters for it.
        var tokenizer = RewrittenTokenizerJson.Load(TokenizerFixtures.ByteLevel, json =>
        {
            json["model"]!["ignore_merges"] = true;
            json["model"]!["merges"] = new JsonArray();
        });
        var reference = TokenizerFixtures.Load(TokenizerFixtures.ByteLevel);

        Assert.Equal([reference.TokenToId("Ġyou")!.Value], tokenizer.Encode(" you", addSpecialTokens: false));
        Assert.Equal(3, tokenizer.Encode(" qz", addSpecialTokens: false).Count);
    }

    private static void AssertSameEncodings(string fixture, Tokenizer rewritten)
    {
        foreach (var (text, ids, decoded) in TokenizerFixtures.TextCases(fixture))
        {
            Assert.Equal(ids, rewritten.Encode(text, addSpecialTokens: false));
            Assert.Equal(decoded, rewritten.Decode(ids));
        }
        foreach (var (prompt, ids) in TokenizerFixtures.PromptCases(fixture))
            Assert.Equal(ids, rewritten.Encode(prompt, addSpecialTokens: true));
    }
}
