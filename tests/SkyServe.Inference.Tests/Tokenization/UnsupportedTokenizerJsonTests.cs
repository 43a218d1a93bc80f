using System.Text.Json.Nodes;
using SkyServe.Inference.Tokenization;
using SkyServe.Testing;

namespace SkyServe.Inference.Tests.Tokenization;

/// <summary>Components this tokenizer does not implement fail at load, naming what is unsupported.</summary>
public sealed class UnsupportedTokenizerJsonTests
{
    [Theory]
    [InlineData("model", """{"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0]]}""", "model type 'Unigram'")]
    [InlineData("model", """{"type": "WordPiece", "vocab": {"a": 0}, "unk_token": "[UNK]"}""", "model type 'WordPiece'")]
    [InlineData("normalizer", """{"type": "BertNormalizer", "lowercase": true}""", "normalizer type 'BertNormalizer'")]
    [InlineData("normalizer", """{"type": "Sequence", "normalizers": [{"type": "Precompiled", "precompiled_charsmap": ""}]}""", "normalizer type 'Precompiled'")]
    [InlineData("pre_tokenizer", """{"type": "Whitespace"}""", "pre_tokenizer type 'Whitespace'")]
    [InlineData("pre_tokenizer", """{"type": "Split", "pattern": {"Regex": "\\s"}, "behavior": "Sideways", "invert": false}""", "behavior 'Sideways'")]
    [InlineData("post_processor", """{"type": "BertProcessing", "sep": ["[SEP]", 1], "cls": ["[CLS]", 0]}""", "post_processor type 'BertProcessing'")]
    [InlineData("decoder", """{"type": "WordPiece", "prefix": "##", "cleanup": true}""", "decoder type 'WordPiece'")]
    [InlineData("decoder", """{"type": "Sequence", "decoders": [{"type": "CTC"}]}""", "decoder type 'CTC'")]
    public void Unsupported_component_fails_with_its_type_named(string field, string component, string expectedMessage)
    {
        using var folder = new TempDirectory();
        RewrittenTokenizerJson.Write(folder.Path, TokenizerFixtures.ByteLevel, json => json[field] = JsonNode.Parse(component));

        var error = Assert.Throws<TokenizerLoadException>(() => Tokenizer.Load(folder.Path));

        Assert.Contains(expectedMessage, error.Message);
    }

    [Fact]
    public void A_folder_without_tokenizer_json_fails_clearly()
    {
        using var folder = new TempDirectory();

        var error = Assert.Throws<TokenizerLoadException>(() => Tokenizer.Load(folder.Path));

        Assert.Contains("tokenizer.json does not exist", error.Message);
    }

    [Fact]
    public void Malformed_json_fails_clearly()
    {
        using var folder = new TempDirectory();
        File.WriteAllText(Path.Combine(folder.Path, "tokenizer.json"), "{\"model\": ");

        var error = Assert.Throws<TokenizerLoadException>(() => Tokenizer.Load(folder.Path));

        Assert.Contains("is not valid JSON", error.Message);
    }

    [Fact]
    public void A_merge_of_unknown_tokens_fails_clearly()
    {
        using var folder = new TempDirectory();
        RewrittenTokenizerJson.Write(folder.Path, TokenizerFixtures.ByteLevel, json => json["model"]!["merges"]!.AsArray().Add("nope never"));

        var error = Assert.Throws<TokenizerLoadException>(() => Tokenizer.Load(folder.Path));

        Assert.Contains("'nope'", error.Message);
    }
}
