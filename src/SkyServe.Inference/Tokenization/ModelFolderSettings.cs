using System.Text.Json;

namespace SkyServe.Inference.Tokenization;

/// <summary>
/// What a Hugging Face model folder says about special tokens and chat formatting outside tokenizer.json:
/// BOS/EOS from tokenizer_config.json, config.json and generation_config.json; the chat template from
/// chat_template.jinja or tokenizer_config.json.
/// </summary>
internal sealed record ModelFolderSettings(int? BosId, IReadOnlyList<int> EosIds, string? ChatTemplate)
{
    public static ModelFolderSettings Read(string modelDirectory, Func<string, int?> tokenToId)
    {
        var tokenizerConfig = ReadJsonIfPresent(Path.Combine(modelDirectory, "tokenizer_config.json"));
        var modelConfig = ReadJsonIfPresent(Path.Combine(modelDirectory, "config.json"));
        // Instruct models often list their end-of-turn token only here, and generation stops on it.
        var generationConfig = ReadJsonIfPresent(Path.Combine(modelDirectory, "generation_config.json"));

        var bosId = TokenId(tokenizerConfig, "bos_token", tokenToId) ?? Ids(modelConfig, "bos_token_id").Cast<int?>().FirstOrDefault();
        var eosIds = new List<int>();
        if (TokenId(tokenizerConfig, "eos_token", tokenToId) is { } eosId)
            eosIds.Add(eosId);
        eosIds.AddRange(Ids(modelConfig, "eos_token_id"));
        eosIds.AddRange(Ids(generationConfig, "eos_token_id"));

        return new ModelFolderSettings(bosId, eosIds.Distinct().ToArray(), ReadChatTemplate(modelDirectory, tokenizerConfig));
    }

    private static string? ReadChatTemplate(string modelDirectory, JsonElement tokenizerConfig)
    {
        // transformers saves the template beside the config now, and prefers that file when both exist.
        var templateFile = Path.Combine(modelDirectory, "chat_template.jinja");
        if (File.Exists(templateFile))
            return File.ReadAllText(templateFile);
        var template = tokenizerConfig.Field("chat_template");
        if (template.ValueKind == JsonValueKind.String)
            return template.GetString();
        // An older form lists named templates; the default one is what chat completion uses.
        if (template.ValueKind == JsonValueKind.Array)
        {
            var named = template.EnumerateArray().ToList();
            var chosen = named.FirstOrDefault(t => t.OptionalString("name") == "default");
            if (chosen.ValueKind == JsonValueKind.Undefined && named.Count > 0)
                chosen = named[0];
            return chosen.OptionalString("template");
        }
        return null;
    }

    /// <summary>A special token given by content, either as a string or as {"content": ...}.</summary>
    private static int? TokenId(JsonElement config, string name, Func<string, int?> tokenToId)
    {
        var value = config.Field(name);
        var content = value.ValueKind == JsonValueKind.String ? value.GetString() : value.OptionalString("content");
        return content is null ? null : tokenToId(content);
    }

    /// <summary>A token id field that is a number, a list of numbers or absent.</summary>
    private static IEnumerable<int> Ids(JsonElement config, string name)
    {
        var value = config.Field(name);
        if (value.ValueKind == JsonValueKind.Number)
            return [value.GetInt32()];
        if (value.ValueKind == JsonValueKind.Array)
            return value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Number).Select(v => v.GetInt32()).ToArray();
        return [];
    }

    private static readonly JsonDocumentOptions LenientJson = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    private static JsonElement ReadJsonIfPresent(string path)
    {
        if (!File.Exists(path))
            return default;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), LenientJson);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new TokenizerLoadException($"{Path.GetFileName(path)} is not valid JSON: {e.Message}", e);
        }
    }
}
