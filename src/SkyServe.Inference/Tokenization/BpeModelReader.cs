using System.Text.Json;

namespace SkyServe.Inference.Tokenization;

/// <summary>Builds tokenizer.json's "model", which must be BPE.</summary>
internal static class BpeModelReader
{
    public static BpeModel Read(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new TokenizerLoadException("tokenizer.json has no 'model'");
        // Old files omit the type of a BPE model; merges give it away.
        var type = element.OptionalString("type") ?? (element.Field("merges").ValueKind == JsonValueKind.Array ? "BPE" : "(none)");
        if (type != "BPE")
            throw JsonFields.Unsupported("model", type, "BPE");
        var dropout = element.Field("dropout");
        if (dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() > 0)
            throw new TokenizerLoadException("tokenizer.json: BPE dropout is not supported (inference tokenization must be deterministic)");

        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var vocab = element.Field("vocab");
        if (vocab.ValueKind != JsonValueKind.Object)
            throw new TokenizerLoadException("tokenizer.json: BPE model lacks the 'vocab' object");
        foreach (var entry in vocab.EnumerateObject())
            vocabulary[entry.Name] = entry.Value.ValueKind == JsonValueKind.Number && entry.Value.TryGetInt32(out var id) && id >= 0
                ? id
                : throw new TokenizerLoadException($"tokenizer.json: BPE vocab entry '{entry.Name}' has no valid id");

        var options = new BpeOptions(
            UnknownToken: element.OptionalString("unk_token"),
            FuseUnknown: element.OptionalBool("fuse_unk", false),
            ByteFallback: element.OptionalBool("byte_fallback", false),
            IgnoreMerges: element.OptionalBool("ignore_merges", false),
            ContinuingSubwordPrefix: element.OptionalString("continuing_subword_prefix"),
            EndOfWordSuffix: element.OptionalString("end_of_word_suffix"));
        return new BpeModel(vocabulary, ReadMerges(element.RequiredArray("merges", "BPE model")), options);
    }

    /// <summary>Merges are "left right" strings in older files and ["left", "right"] pairs in newer ones.</summary>
    private static IEnumerable<(string Left, string Right)> ReadMerges(JsonElement.ArrayEnumerator merges)
    {
        foreach (var merge in merges)
        {
            if (merge.ValueKind == JsonValueKind.String)
            {
                var text = merge.GetString()!;
                var space = text.IndexOf(' ');
                if (space < 0 || text.IndexOf(' ', space + 1) >= 0)
                    throw new TokenizerLoadException($"tokenizer.json: BPE merge '{text}' is not two tokens separated by one space");
                yield return (text[..space], text[(space + 1)..]);
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                     && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                yield return (merge[0].GetString()!, merge[1].GetString()!);
            }
            else
            {
                throw new TokenizerLoadException($"tokenizer.json: BPE merge {merge.GetRawText()} is neither \"a b\" nor [\"a\", \"b\"]");
            }
        }
    }
}
