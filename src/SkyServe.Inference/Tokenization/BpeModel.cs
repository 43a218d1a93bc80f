using System.Collections.Concurrent;
using System.Text;

namespace SkyServe.Inference.Tokenization;

/// <summary>
/// The BPE model of tokenizer.json: splits a pre-tokenized word into characters (falling back to
/// &lt;0xNN&gt; byte tokens or the unknown token) and applies the merges by rank.
/// </summary>
internal sealed class BpeModel
{
    // Hugging Face caches words up to this length too; longer ones are rare and would bloat the cache.
    private const int MaxCachedWordLength = 256;
    private const int MaxCachedWords = 50_000;

    private readonly Dictionary<string, int> vocabulary;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> vocabularyBySpan;
    private readonly Dictionary<long, BpeMerge> merges;
    private readonly string?[] tokenOfId;
    private readonly int[] byteFallbackIds;
    private readonly ConcurrentDictionary<string, int[]> wordCache = new(StringComparer.Ordinal);

    public BpeModel(Dictionary<string, int> vocabulary, IEnumerable<(string Left, string Right)> mergePairs, BpeOptions options)
    {
        this.vocabulary = vocabulary;
        vocabularyBySpan = vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        Options = options;

        tokenOfId = new string?[vocabulary.Count == 0 ? 0 : vocabulary.Values.Max() + 1];
        foreach (var (token, id) in vocabulary)
            tokenOfId[id] = token;

        merges = BuildMergeTable(mergePairs);
        // An unk_token missing from the vocabulary loads (Hugging Face only fails once it is needed);
        // unknown characters are then dropped.
        UnknownId = options.UnknownToken is { } unknown && vocabulary.TryGetValue(unknown, out var unknownId) ? unknownId : null;

        byteFallbackIds = new int[256];
        for (var b = 0; b < 256; b++)
            byteFallbackIds[b] = vocabulary.TryGetValue($"<0x{b:X2}>", out var id) ? id : -1;
    }

    public BpeOptions Options { get; }
    public int? UnknownId { get; }

    /// <summary>One past the highest id of the model's own vocabulary.</summary>
    public int IdLimit => tokenOfId.Length;

    public int? TokenToId(string token) => vocabulary.TryGetValue(token, out var id) ? id : null;

    public string? IdToToken(int id) => (uint)id < (uint)tokenOfId.Length ? tokenOfId[id] : null;

    /// <summary>Appends the ids of one pre-tokenized word.</summary>
    public void Encode(string word, List<int> output)
    {
        if (word.Length == 0)
            return;
        if (Options.IgnoreMerges && vocabulary.TryGetValue(word, out var whole))
        {
            output.Add(whole);
            return;
        }
        if (word.Length > MaxCachedWordLength)
        {
            EncodeUncached(word, output);
            return;
        }
        if (!wordCache.TryGetValue(word, out var ids))
        {
            var fresh = new List<int>();
            EncodeUncached(word, fresh);
            ids = fresh.ToArray();
            // A bounded cache: starting over is cheaper than tracking recency on the hot path.
            if (wordCache.Count >= MaxCachedWords)
                wordCache.Clear();
            wordCache.TryAdd(word, ids);
        }
        output.AddRange(ids);
    }

    private void EncodeUncached(string word, List<int> output)
    {
        var symbols = new BpeWord();
        int? pendingUnknown = null;
        var position = 0;
        while (position < word.Length)
        {
            var length = char.IsSurrogatePair(word, position) ? 2 : 1;
            var isFirst = position == 0;
            var isLast = position + length == word.Length;
            var id = LookUpCharacter(word.AsSpan(position, length), isFirst, isLast);
            if (id is { } known)
            {
                if (pendingUnknown is { } unknown)
                    symbols.Add(unknown);
                pendingUnknown = null;
                symbols.Add(known);
            }
            else if (!Options.ByteFallback || !TryAddByteFallback(word.AsSpan(position, length), symbols, ref pendingUnknown))
            {
                // fuse_unk: a run of unknown characters becomes a single unknown token. Without a
                // usable unk_token the character is dropped.
                if (pendingUnknown is { } previousUnknown && !Options.FuseUnknown)
                    symbols.Add(previousUnknown);
                pendingUnknown = UnknownId;
            }
            position += length;
        }
        if (pendingUnknown is { } last)
            symbols.Add(last);

        symbols.MergeAll(merges);
        symbols.CopyTo(output);
    }

    private int? LookUpCharacter(ReadOnlySpan<char> character, bool isFirst, bool isLast)
    {
        var prefix = isFirst ? null : Options.ContinuingSubwordPrefix;
        var suffix = isLast ? Options.EndOfWordSuffix : null;
        if (prefix is null && suffix is null)
            return vocabularyBySpan.TryGetValue(character, out var id) ? id : null;
        var decorated = string.Concat(prefix, character, suffix);
        return vocabulary.TryGetValue(decorated, out var decoratedId) ? decoratedId : null;
    }

    /// <summary>A character missing from the vocabulary becomes its UTF-8 bytes, if every byte token exists.</summary>
    private bool TryAddByteFallback(ReadOnlySpan<char> character, BpeWord symbols, ref int? pendingUnknown)
    {
        Span<byte> bytes = stackalloc byte[4];
        var count = Encoding.UTF8.GetBytes(character, bytes);
        for (var i = 0; i < count; i++)
            if (byteFallbackIds[bytes[i]] < 0)
                return false;
        if (pendingUnknown is { } unknown)
            symbols.Add(unknown);
        pendingUnknown = null;
        for (var i = 0; i < count; i++)
            symbols.Add(byteFallbackIds[bytes[i]]);
        return true;
    }

    private Dictionary<long, BpeMerge> BuildMergeTable(IEnumerable<(string Left, string Right)> mergePairs)
    {
        var table = new Dictionary<long, BpeMerge>();
        var prefixLength = Options.ContinuingSubwordPrefix?.Length ?? 0;
        var rank = 0;
        foreach (var (left, right) in mergePairs)
        {
            var leftId = RequireToken(left, rank);
            var rightId = RequireToken(right, rank);
            // The right half carries the continuation prefix, which the merged token has only once.
            var mergedRight = prefixLength > 0 && right.StartsWith(Options.ContinuingSubwordPrefix!, StringComparison.Ordinal)
                ? right[prefixLength..]
                : right;
            var mergedId = RequireToken(left + mergedRight, rank);
            // A repeated pair keeps its last rank, as Hugging Face's table does.
            table[BpeWord.PairKey(leftId, rightId)] = new BpeMerge(rank, mergedId);
            rank++;
        }
        return table;
    }

    private int RequireToken(string token, int rank) =>
        vocabulary.TryGetValue(token, out var id)
            ? id
            : throw new TokenizerLoadException($"tokenizer.json: BPE merge #{rank} uses '{token}', which is not in the vocabulary");
}
