using System.Text.Json;

namespace SkyServe.Inference.Tokenization;

/// <summary>Builds tokenizer.json's "pre_tokenizer".</summary>
internal static class PreTokenizerReader
{
    private const string Supported = "ByteLevel, Split, Metaspace, Sequence";

    public static IPreTokenizer? Read(JsonElement element)
    {
        if (element.IsNullOrMissing())
            return null;
        var type = element.TypeName("pre_tokenizer");
        return type switch
        {
            "ByteLevel" => new ByteLevelPreTokenizer(
                addPrefixSpace: element.OptionalBool("add_prefix_space", true),
                useRegex: element.OptionalBool("use_regex", true)),
            "Split" => ReadSplit(element),
            "Metaspace" => new MetaspacePreTokenizer(
                ReadReplacementChar(element),
                ReadPrependScheme(element),
                split: element.OptionalBool("split", true)),
            "Sequence" => new PreTokenizerSequence(element.RequiredArray("pretokenizers", "pre_tokenizer Sequence")
                .Select(step => Read(step) ?? throw new TokenizerLoadException("tokenizer.json: a pre_tokenizer Sequence holds null"))
                .ToList()),
            _ => throw JsonFields.Unsupported("pre_tokenizer", type, Supported),
        };
    }

    /// <summary>Metaspace's replacement character; old files call it str_rep.</summary>
    public static char ReadReplacementChar(JsonElement element) =>
        element.OptionalString("replacement") is not null
            ? element.RequiredChar("replacement", "Metaspace")
            : element.RequiredChar("str_rep", "Metaspace");

    /// <summary>Metaspace's prepend_scheme; old files have add_prefix_space instead.</summary>
    public static MetaspacePrependScheme ReadPrependScheme(JsonElement element) =>
        element.OptionalString("prepend_scheme") switch
        {
            "always" => MetaspacePrependScheme.Always,
            "first" => MetaspacePrependScheme.First,
            "never" => MetaspacePrependScheme.Never,
            null => element.OptionalBool("add_prefix_space", true) ? MetaspacePrependScheme.Always : MetaspacePrependScheme.Never,
            var other => throw new TokenizerLoadException($"tokenizer.json: Metaspace prepend_scheme '{other}' is not supported (supported: always, first, never)"),
        };

    private static SplitPreTokenizer ReadSplit(JsonElement element)
    {
        const string component = "pre_tokenizer Split";
        var behaviorName = element.RequiredString("behavior", component);
        if (!Enum.TryParse<SplitBehavior>(behaviorName, ignoreCase: false, out var behavior) || !Enum.IsDefined(behavior))
            throw new TokenizerLoadException($"tokenizer.json: {component} behavior '{behaviorName}' is not supported (supported: {string.Join(", ", Enum.GetNames<SplitBehavior>())})");
        var invert = element.OptionalBool("invert", false);
        var (literal, regex) = element.Pattern(component);
        return literal is not null
            ? SplitPreTokenizer.ForLiteral(literal, behavior, invert)
            : new SplitPreTokenizer(new CodePointRegex(regex!), behavior, invert);
    }
}
