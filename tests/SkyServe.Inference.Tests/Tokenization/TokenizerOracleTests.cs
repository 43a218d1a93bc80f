using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using SkyServe.Inference.Tokenization;
using SkyServe.Testing;
using Xunit.Abstractions;
using HfTokenizer = Tokenizers.DotNet.Tokenizer;

namespace SkyServe.Inference.Tests.Tokenization;

/// <summary>
/// Differential tests against Hugging Face's own Rust tokenizers (0.22.2, wrapped by Tokenizers.DotNet 1.4.1):
/// for every fixture tokenizer, a few thousand seeded generated strings (whitespace runs, digits, CJK, emoji,
/// invalid surrogates, special tokens and pieces of them) encode to the same ids, with and without special tokens,
/// and ids (the oracle's and random ones) decode to the same text, with and without skipping special tokens.
/// </summary>
/// <remarks>
/// Tokenizers.DotNet exposes only Encode(text) with add_special_tokens=true and Decode(ids) with
/// skip_special_tokens=true. The other two modes are reached through rewritten copies of tokenizer.json given to the
/// oracle only: one without a post-processor (add_special_tokens=false adds nothing else), and one whose added tokens
/// are not marked special (so skipping special tokens skips none; the tokens are matched exactly as before because
/// none is "normalized").
/// </remarks>
public sealed class TokenizerOracleTests(ITestOutputHelper output)
{
    private const int StringsPerTokenizer = 3000;
    private const int RandomIdSequences = 1500;
    private const int MismatchesShown = 8;

    /// <summary>The committed fixtures, the demo model, and the rewritten variants the other tokenizer tests use.</summary>
    private static readonly Dictionary<string, Func<JsonObject>> Subjects = new()
    {
        ["tiny-llama"] = () => Read("tests/fixtures/tiny-llama"),
        ["tiny-qwen2"] = () => Read("tests/fixtures/tiny-qwen2"),
        ["tiny-chat"] = () => Read("models/tiny-chat"),
        ["tiny-llama split-regex+byte-level"] = () =>
        {
            var json = Read("tests/fixtures/tiny-llama");
            const string gpt2 = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
            json["pre_tokenizer"] = JsonNode.Parse($$"""
                {"type": "Sequence", "pretokenizers": [
                  {"type": "Split", "pattern": {"Regex": {{JsonValue.Create(gpt2).ToJsonString()}}}, "behavior": "Isolated", "invert": false},
                  {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}]}
                """);
            return json;
        },
        ["tiny-qwen2 metaspace"] = () =>
        {
            var json = Read("tests/fixtures/tiny-qwen2");
            json["normalizer"] = null;
            json["pre_tokenizer"] = JsonNode.Parse("""{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": false}""");
            return json;
        },
        ["tiny-llama ignore-merges"] = () =>
        {
            var json = Read("tests/fixtures/tiny-llama");
            json["model"]!["ignore_merges"] = true;
            return json;
        },
    };

    public static TheoryData<string> SubjectNames => new(Subjects.Keys);

    [Theory]
    [MemberData(nameof(SubjectNames))]
    public void Encoding_and_decoding_agree_with_hugging_face_tokenizers(string subject)
    {
        using var folder = new TempDirectory();
        var json = Subjects[subject]();
        var ours = LoadOurs(folder.Path, json);
        using var withSpecial = LoadOracle(folder.Path, "with-special.json", json, _ => { });
        using var withoutSpecial = LoadOracle(folder.Path, "without-special.json", json, j => j["post_processor"] = null);
        using var keepingSpecial = LoadOracle(folder.Path, "keeping-special.json", json, j =>
        {
            foreach (var token in j["added_tokens"]!.AsArray())
                token!["special"] = false;
        });

        var addedTokens = json["added_tokens"]!.AsArray().Select(t => t!["content"]!.GetValue<string>()).ToArray();
        var random = new Random(Seed(subject));
        var mismatches = new List<string>();
        var mismatchCount = 0;
        void Compare<T>(string what, string input, IReadOnlyList<T> expected, IReadOnlyList<T> actual)
        {
            if (expected.SequenceEqual(actual))
                return;
            if (mismatchCount++ < MismatchesShown)
                mismatches.Add($"{what} of {input}\n    huggingface: {Show(expected)}\n    ours:        {Show(actual)}");
        }
        void CompareText(string what, string input, string expected, string actual)
        {
            if (expected == actual)
                return;
            if (mismatchCount++ < MismatchesShown)
                mismatches.Add($"{what} of {input}\n    huggingface: {Escape(expected)}\n    ours:        {Escape(actual)}");
        }

        var oracleIds = new List<uint[]>();
        for (var i = 0; i < StringsPerTokenizer; i++)
        {
            // A .NET string with a lone surrogate has no UTF-8 form: the oracle refuses it ("Invalid UTF-16 text
            // string") and a real request reaches the agent as UTF-8, where it already became U+FFFD. Both sides are
            // given the text after a round trip through UTF-8 with replacement, so they see the same input.
            var text = Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(Generate(random, addedTokens)));
            var expectedWith = withSpecial.Encode(text);
            var expectedWithout = withoutSpecial.Encode(text);
            Compare("encode with special tokens", Escape(text), expectedWith.Select(id => (int)id).ToArray(), ours.Encode(text, addSpecialTokens: true));
            Compare("encode without special tokens", Escape(text), expectedWithout.Select(id => (int)id).ToArray(), ours.Encode(text, addSpecialTokens: false));
            oracleIds.Add(expectedWith);
        }

        // Decoding: the oracle's own encodings, then random id sequences (stray byte tokens, special tokens anywhere).
        var vocabularySize = json["model"]!["vocab"]!.AsObject().Count + addedTokens.Length;
        for (var i = 0; i < RandomIdSequences; i++)
            oracleIds.Add(Enumerable.Range(0, random.Next(0, 12)).Select(_ => (uint)random.Next(vocabularySize)).ToArray());
        foreach (var ids in oracleIds)
        {
            var ints = ids.Select(id => (int)id).ToArray();
            CompareText("decode skipping special tokens", Show(ints), withSpecial.Decode(ids), ours.Decode(ints, skipSpecialTokens: true));
            CompareText("decode keeping special tokens", Show(ints), keepingSpecial.Decode(ids), ours.Decode(ints, skipSpecialTokens: false));
        }

        output.WriteLine($"{subject}: {StringsPerTokenizer} strings and {oracleIds.Count} id sequences compared, {mismatchCount} mismatches");
        Assert.True(mismatchCount == 0,
            $"{subject}: {mismatchCount} mismatches with Hugging Face tokenizers; the first {mismatches.Count}:\n" + string.Join("\n", mismatches));
    }

    private static JsonObject Read(string folder) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, folder, "tokenizer.json")))!.AsObject();

    private static Tokenizer LoadOurs(string folder, JsonObject json)
    {
        var ours = Path.Combine(folder, "ours");
        Directory.CreateDirectory(ours);
        File.WriteAllText(Path.Combine(ours, "tokenizer.json"), json.ToJsonString());
        return Tokenizer.Load(ours);
    }

    private static HfTokenizer LoadOracle(string folder, string name, JsonObject json, Action<JsonObject> change)
    {
        var copy = json.DeepClone().AsObject();
        change(copy);
        var path = Path.Combine(folder, name);
        File.WriteAllText(path, copy.ToJsonString());
        return new HfTokenizer(vocabPath: path);
    }

    private static int Seed(string subject) => subject.Aggregate(17, (hash, c) => unchecked(hash * 31 + c));

    private static readonly string[] Whitespace =
        [" ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n ", "\t \t", "\u00A0", "\u3000", "\u2009", "\u200B", "\u2028", "\v", "\f"];
    private static readonly string[] Words =
        ["the", "The", "hello", "world", "don't", "I'll", "we've", "it's", "x", "a", "qz", "ABC", "naïve", "café", "Straße",
         "über", "u\u0308ber", "résumé", "e\u0301", "ﬁ", "Ⅻ", "½", "ǅ", "İstanbul", "ΣΊΣΥΦΟΣ", "москва", "שלום", "مرحبا", "नमस्ते", "ไทย"];
    private static readonly string[] Punctuation =
        [".", ",", "!", "?", "...", "'", "\"", "-", "--", "(", ")", "[]", "{}", "<", ">", "/", "\\", "#", "@", "$", "%", "^", "&", "*",
         "_", "=", "+", "|", "~", "`", ":", ";", "'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "▁", "Ġ", "\0", "\u0001", "\u007F", "\uFEFF"];
    private static readonly string[] Emoji =
        ["😀", "👍", "👍🏽", "👨‍👩‍👧", "🇯🇵", "❤️", "🤖", "🚀", "🙂🙃", "🏳️‍🌈", "\U0001F9D1\u200D\U0001F4BB", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\U0010FFFD"];
    private static readonly string[] Surrogates = ["\uD800", "\uDC00", "\uDBFF", "\uDFFF", "\uDC00\uD800", "a\uD83D", "\uDE00b"];

    /// <summary>One generated input: up to 10 pieces, each of one kind.</summary>
    private static string Generate(Random random, string[] addedTokens)
    {
        var text = new StringBuilder();
        var pieces = random.Next(0, 11);
        for (var p = 0; p < pieces; p++)
        {
            switch (random.Next(12))
            {
                case 0:
                case 1:
                    text.Append(Pick(random, Whitespace));
                    if (random.Next(3) == 0)
                        text.Append(' ', random.Next(1, 9));
                    break;
                case 2:
                    for (var n = random.Next(1, 14); n > 0; n--)
                        text.Append((char)('0' + random.Next(10)));
                    break;
                case 3:
                    for (var n = random.Next(1, 6); n > 0; n--)
                        text.Append(Cjk(random));
                    break;
                case 4:
                    text.Append(Pick(random, Emoji));
                    break;
                case 5:
                    text.Append(Pick(random, Surrogates));
                    break;
                case 6:
                    if (addedTokens.Length > 0)
                    {
                        var token = Pick(random, addedTokens);
                        // Whole, or cut short or extended so that it almost matches.
                        text.Append(random.Next(4) switch
                        {
                            0 => token[..random.Next(1, token.Length)],
                            1 => token[1..],
                            2 => token + token,
                            _ => token,
                        });
                    }
                    break;
                case 7:
                    text.Append(Pick(random, Punctuation));
                    break;
                case 8:
                    text.Append(RandomScalar(random));
                    break;
                default:
                    if (random.Next(3) == 0)
                        text.Append(' ');
                    text.Append(Pick(random, Words));
                    break;
            }
        }
        return text.ToString();
    }

    private static string Pick(Random random, string[] choices) => choices[random.Next(choices.Length)];

    private const string CjkPunctuation = "。、「」！？（）";

    private static string Cjk(Random random) => random.Next(5) switch
    {
        0 => char.ConvertFromUtf32(random.Next(0x3041, 0x3097)), // hiragana
        1 => char.ConvertFromUtf32(random.Next(0xAC00, 0xD7A4)), // hangul syllables
        2 => char.ConvertFromUtf32(random.Next(0x20000, 0x2A6E0)), // CJK extension B, outside the BMP
        3 => CjkPunctuation[random.Next(CjkPunctuation.Length)].ToString(),
        _ => char.ConvertFromUtf32(random.Next(0x4E00, 0xA000)), // CJK unified ideographs
    };

    /// <summary>Any Unicode scalar value, biased towards the lower planes.</summary>
    private static string RandomScalar(Random random)
    {
        var limit = random.Next(4) switch { 0 => 0x80, 1 => 0x800, 2 => 0x10000, _ => 0x110000 };
        while (true)
        {
            var c = random.Next(limit);
            if (c is < 0xD800 or > 0xDFFF)
                return char.ConvertFromUtf32(c);
        }
    }

    private static string Show<T>(IReadOnlyList<T> ids) => "[" + string.Join(", ", ids) + "]";

    /// <summary>The text as a C# literal: printable ASCII as is, everything else as \uXXXX or \UXXXXXXXX.</summary>
    private static string Escape(string text)
    {
        var escaped = new StringBuilder("\"");
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                escaped.Append(CultureInfo.InvariantCulture, $"\\U{char.ConvertToUtf32(c, text[++i]):X8}");
            else if (c is '"' or '\\')
                escaped.Append('\\').Append(c);
            else if (c is >= ' ' and <= '~')
                escaped.Append(c);
            else
                escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
        }
        return escaped.Append('"').ToString();
    }
}
