using System.Text.Json;

namespace SkyServe.Inference.Tokenization;

/// <summary>Builds tokenizer.json's "decoder".</summary>
internal static class DecoderReader
{
    private const string Supported = "ByteLevel, Metaspace, Replace, ByteFallback, Fuse, Strip, Sequence";

    public static ITokenDecoder? Read(JsonElement element)
    {
        if (element.IsNullOrMissing())
            return null;
        var type = element.TypeName("decoder");
        return type switch
        {
            "ByteLevel" => new ByteLevelDecoder(),
            "Metaspace" => new MetaspaceDecoder(
                PreTokenizerReader.ReadReplacementChar(element),
                prefixWasPrepended: PreTokenizerReader.ReadPrependScheme(element) != MetaspacePrependScheme.Never),
            "Replace" => new ReplaceDecoder(NormalizerReader.ReadReplacement(element, "decoder Replace")),
            "ByteFallback" => new ByteFallbackDecoder(),
            "Fuse" => new FuseDecoder(),
            "Strip" => new StripDecoder(
                element.RequiredChar("content", "decoder Strip"),
                element.OptionalInt("start", 0),
                element.OptionalInt("stop", 0)),
            "Sequence" => new DecoderSequence(element.RequiredArray("decoders", "decoder Sequence")
                .Select(step => Read(step) ?? throw new TokenizerLoadException("tokenizer.json: a decoder Sequence holds null"))
                .ToList()),
            _ => throw JsonFields.Unsupported("decoder", type, Supported),
        };
    }
}
