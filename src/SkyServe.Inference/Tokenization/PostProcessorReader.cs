using System.Text.Json;

namespace SkyServe.Inference.Tokenization;

/// <summary>Builds tokenizer.json's "post_processor" (only its single-text template matters here).</summary>
internal static class PostProcessorReader
{
    private const string Supported = "TemplateProcessing, ByteLevel, Sequence";

    public static IPostProcessor? Read(JsonElement element)
    {
        if (element.IsNullOrMissing())
            return null;
        var type = element.TypeName("post_processor");
        return type switch
        {
            "TemplateProcessing" => ReadTemplate(element),
            "ByteLevel" => new OffsetsOnlyPostProcessor(),
            "Sequence" => new PostProcessorSequence(element.RequiredArray("processors", "post_processor Sequence")
                .Select(step => Read(step) ?? throw new TokenizerLoadException("tokenizer.json: a post_processor Sequence holds null"))
                .ToList()),
            _ => throw JsonFields.Unsupported("post_processor", type, Supported),
        };
    }

    private static TemplatePostProcessor ReadTemplate(JsonElement element)
    {
        const string component = "post_processor TemplateProcessing";
        var single = element.Field("single");
        if (single.ValueKind != JsonValueKind.Array)
            throw new TokenizerLoadException($"tokenizer.json: {component} needs 'single' as a list of SpecialToken/Sequence items");
        var specialTokens = element.Field("special_tokens");
        var template = new List<int[]?>();
        foreach (var item in single.EnumerateArray())
        {
            if (item.Field("Sequence").ValueKind == JsonValueKind.Object)
            {
                template.Add(null);
                continue;
            }
            var name = item.Field("SpecialToken").OptionalString("id")
                ?? throw new TokenizerLoadException($"tokenizer.json: {component} has an item that is neither SpecialToken nor Sequence");
            var ids = specialTokens.Field(name).Field("ids");
            if (ids.ValueKind != JsonValueKind.Array)
                throw new TokenizerLoadException($"tokenizer.json: {component} names '{name}', which its special_tokens lack");
            template.Add(ids.EnumerateArray().Select(id => id.GetInt32()).ToArray());
        }
        return new TemplatePostProcessor(template);
    }
}
