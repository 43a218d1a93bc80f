using System.Collections.Concurrent;
using System.Text.Json;
using SkyServe.Inference.Tokenization;
using SkyServe.Testing;

namespace SkyServe.Inference.Tests.Tokenization;

/// <summary>
/// The committed Hugging Face reference folders (tests/fixtures, made by generate_reference.py):
/// tiny-llama has a byte-level BPE tokenizer, tiny-qwen2 a byte-fallback one.
/// </summary>
internal static class TokenizerFixtures
{
    public const string ByteLevel = "tiny-llama";
    public const string ByteFallback = "tiny-qwen2";
    public static readonly string[] All = [ByteLevel, ByteFallback];

    private static readonly ConcurrentDictionary<string, Tokenizer> loaded = new();

    public static string FolderOf(string fixture) => Path.Combine(RepoPaths.Root, "tests", "fixtures", fixture);

    public static Tokenizer Load(string fixture) => loaded.GetOrAdd(fixture, f => Tokenizer.Load(FolderOf(f)));

    /// <summary>expected.json "tokenizer": text, its ids without special tokens, and the decoded ids.</summary>
    public static IReadOnlyList<(string Text, int[] Ids, string Decoded)> TextCases(string fixture) =>
        Expected(fixture).GetProperty("tokenizer").EnumerateArray()
            .Select(c => (c.GetProperty("text").GetString()!, Ids(c), c.GetProperty("decoded").GetString()!))
            .ToList();

    /// <summary>expected.json "model": prompts and their ids with special tokens (BOS first).</summary>
    public static IReadOnlyList<(string Prompt, int[] Ids)> PromptCases(string fixture) =>
        Expected(fixture).GetProperty("model").EnumerateArray()
            .Select(c => (c.GetProperty("prompt").GetString()!, Ids(c)))
            .ToList();

    /// <summary>Every (fixture, case index) pair of the text cases, for theories.</summary>
    public static TheoryData<string, int> TextCaseIndexes()
    {
        var data = new TheoryData<string, int>();
        foreach (var fixture in All)
            for (var i = 0; i < TextCases(fixture).Count; i++)
                data.Add(fixture, i);
        return data;
    }

    private static int[] Ids(JsonElement testCase) =>
        testCase.GetProperty("ids").EnumerateArray().Select(id => id.GetInt32()).ToArray();

    private static JsonElement Expected(string fixture)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(FolderOf(fixture), "expected.json")));
        return document.RootElement.Clone();
    }
}
