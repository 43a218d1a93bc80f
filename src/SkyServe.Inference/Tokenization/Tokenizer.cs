using System.Text.Json;

namespace SkyServe.Inference.Tokenization;

/// <summary>
/// A Hugging Face tokenizer.json with a BPE model, byte-level (GPT-2, Llama 3, Qwen2) or byte-fallback
/// (Llama 2, TinyLlama): encodes text to ids and decodes ids to text as the tokenizers library does.
/// Immutable and safe to share between threads.
/// </summary>
public sealed class Tokenizer
{
    private readonly BpeModel model;
    private readonly ITextNormalizer? normalizer;
    private readonly IPreTokenizer? preTokenizer;
    private readonly IPostProcessor? postProcessor;
    private readonly ITokenDecoder? decoder;
    private readonly Dictionary<int, AddedToken> addedTokenOfId;
    private readonly Dictionary<string, AddedToken> addedTokenOfContent;
    private readonly AddedTokenMatcher rawTextMatcher;
    private readonly AddedTokenMatcher normalizedTextMatcher;

    private Tokenizer(BpeModel model, IReadOnlyList<AddedToken> addedTokens, ITextNormalizer? normalizer,
        IPreTokenizer? preTokenizer, IPostProcessor? postProcessor, ITokenDecoder? decoder)
    {
        this.model = model;
        this.normalizer = normalizer;
        this.preTokenizer = preTokenizer;
        this.postProcessor = postProcessor;
        this.decoder = decoder;
        addedTokenOfId = [];
        addedTokenOfContent = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        foreach (var token in addedTokens)
        {
            addedTokenOfId[token.Id] = token;
            addedTokenOfContent[token.Content] = token;
        }
        // Tokens marked "normalized" are looked for in normalized text, spelled as the normalizer would.
        rawTextMatcher = new AddedTokenMatcher(addedTokens.Where(t => !t.Normalized).Select(t => (t.Content, t)));
        normalizedTextMatcher = new AddedTokenMatcher(addedTokens.Where(t => t.Normalized)
            .Select(t => (normalizer?.Normalize(t.Content) ?? t.Content, t)));
        VocabularySize = Math.Max(model.IdLimit, addedTokens.Count == 0 ? 0 : addedTokens.Max(t => t.Id) + 1);
    }

    /// <summary>The beginning-of-sequence token, if the model has one.</summary>
    public int? BosId { get; private set; }

    /// <summary>Every token that ends generation (tokenizer EOS plus the model's and generation config's eos_token_id).</summary>
    public IReadOnlyList<int> EosIds { get; private set; } = [];

    /// <summary>The number of ids: one past the highest id of the vocabulary or added tokens.</summary>
    public int VocabularySize { get; }

    /// <summary>The Jinja chat template, unrendered, if the model folder has one.</summary>
    public string? ChatTemplate { get; private set; }

    /// <summary>
    /// Loads tokenizer.json from a Hugging Face model folder, with BOS/EOS and the chat template from the
    /// configs beside it. Throws <see cref="TokenizerLoadException"/> for unsupported components.
    /// </summary>
    public static Tokenizer Load(string modelDirectory)
    {
        var path = Path.Combine(modelDirectory, "tokenizer.json");
        if (!File.Exists(path))
            throw new TokenizerLoadException($"{path} does not exist");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new TokenizerLoadException($"{path} is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            var tokenizer = new Tokenizer(
                BpeModelReader.Read(root.Field("model")),
                ReadAddedTokens(root.Field("added_tokens")),
                NormalizerReader.Read(root.Field("normalizer")),
                PreTokenizerReader.Read(root.Field("pre_tokenizer")),
                PostProcessorReader.Read(root.Field("post_processor")),
                DecoderReader.Read(root.Field("decoder")));
            var settings = ModelFolderSettings.Read(modelDirectory, tokenizer.TokenToId);
            tokenizer.BosId = settings.BosId;
            tokenizer.EosIds = settings.EosIds;
            tokenizer.ChatTemplate = settings.ChatTemplate;
            return tokenizer;
        }
    }

    /// <summary>
    /// The ids of <paramref name="text"/>. Added tokens written in the text (e.g. "&lt;|eot_id|&gt;") become
    /// their single id; <paramref name="addSpecialTokens"/> applies the post-processor's template (e.g. BOS first).
    /// Encoding stops once more than <paramref name="maxTokens"/> ids are produced (the result then has more than
    /// that many but not all of the text's), so text that cannot fit a window costs no more than the window.
    /// </summary>
    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens, int maxTokens = int.MaxValue)
    {
        var ids = new List<int>();
        foreach (var segment in rawTextMatcher.Split(text))
        {
            if (ids.Count > maxTokens)
                return ids;
            if (segment.Token is { } token)
            {
                ids.Add(token.Id);
                continue;
            }
            var raw = text[segment.Start..segment.End];
            var normalized = normalizer?.Normalize(raw) ?? raw;
            foreach (var inner in normalizedTextMatcher.Split(normalized))
            {
                if (ids.Count > maxTokens)
                    return ids;
                if (inner.Token is { } normalizedToken)
                    ids.Add(normalizedToken.Id);
                else
                    EncodePlainText(new PreToken(normalized[inner.Start..inner.End], segment.Start == 0 && inner.Start == 0), ids, maxTokens);
            }
        }
        if (ids.Count > maxTokens)
            return ids;
        return addSpecialTokens && postProcessor is not null ? postProcessor.AddSpecialTokens(ids) : ids;
    }

    /// <summary>The text of <paramref name="ids"/>; ids outside the vocabulary are ignored.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        var tokens = new List<string>();
        foreach (var id in ids)
        {
            if (addedTokenOfId.TryGetValue(id, out var added))
            {
                if (!(skipSpecialTokens && added.Special))
                    tokens.Add(added.Content);
            }
            else if (model.IdToToken(id) is { } token)
            {
                tokens.Add(token);
            }
        }
        return decoder is null ? string.Join(' ', tokens) : string.Concat(decoder.DecodeChain(tokens));
    }

    /// <summary>The id of a token as the vocabulary spells it (byte-level tokens in the GPT-2 alphabet, e.g. "Ġthe").</summary>
    public int? TokenToId(string token) =>
        addedTokenOfContent.TryGetValue(token, out var added) ? added.Id : model.TokenToId(token);

    /// <summary>The vocabulary spelling of an id, or null for an id outside the vocabulary.</summary>
    public string? IdToToken(int id) =>
        addedTokenOfId.TryGetValue(id, out var added) ? added.Content : model.IdToToken(id);

    private void EncodePlainText(PreToken piece, List<int> ids, int maxTokens)
    {
        if (piece.Text.Length == 0)
            return;
        if (preTokenizer is null)
        {
            model.Encode(piece.Text, ids);
            return;
        }
        var words = new List<PreToken>();
        preTokenizer.Split(piece, words);
        foreach (var word in words)
        {
            if (ids.Count > maxTokens)
                return;
            model.Encode(word.Text, ids);
        }
    }

    private static List<AddedToken> ReadAddedTokens(JsonElement addedTokens)
    {
        if (addedTokens.IsNullOrMissing())
            return [];
        return addedTokens.EnumerateArray().Select(t => new AddedToken(
            Id: t.RequiredInt("id", "an added token"),
            Content: t.RequiredString("content", "an added token"),
            Special: t.OptionalBool("special", false),
            SingleWord: t.OptionalBool("single_word", false),
            StripLeft: t.OptionalBool("lstrip", false),
            StripRight: t.OptionalBool("rstrip", false),
            Normalized: t.OptionalBool("normalized", false))).ToList();
    }
}
