using System.Text.Json;

namespace SkyServe.Inference.Model;

/// <summary>Reads config.json with transformers' defaults for the keys a checkpoint may leave out.</summary>
internal static class ModelConfigParser
{
    private static readonly string[] SupportedModelTypes = ["llama", "mistral", "qwen2"];

    public static ModelConfig Parse(string json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new CheckpointException($"{source} is not a JSON object");
            return Parse(root, source);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{source} is not valid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new CheckpointException($"{source}: a setting has the wrong type: {e.Message}", e);
        }
    }

    private static ModelConfig Parse(JsonElement root, string source)
    {
        var modelType = String(root, "model_type") ?? throw Missing(source, "model_type");
        if (!SupportedModelTypes.Contains(modelType))
            throw new CheckpointException($"{source}: model_type '{modelType}' is not supported ({string.Join(", ", SupportedModelTypes)})");
        var activation = String(root, "hidden_act") ?? "silu";
        if (activation != "silu")
            throw new CheckpointException($"{source}: hidden_act '{activation}' is not supported (silu)");

        var hidden = RequiredInt(root, "hidden_size", source);
        var heads = RequiredInt(root, "num_attention_heads", source);
        var keyValueHeads = Int(root, "num_key_value_heads") ?? heads;
        var headDim = Int(root, "head_dim") ?? hidden / heads;
        if (heads <= 0 || keyValueHeads <= 0 || heads % keyValueHeads != 0)
            throw new CheckpointException($"{source}: num_attention_heads {heads} is not a multiple of num_key_value_heads {keyValueHeads}");
        if (headDim <= 0 || headDim % 2 != 0)
            throw new CheckpointException($"{source}: head_dim {headDim} must be even for rotary embeddings");

        var isQwen2 = modelType == "qwen2";
        var attentionBias = Bool(root, "attention_bias") ?? false;
        return new ModelConfig
        {
            ModelType = modelType,
            HiddenSize = hidden,
            IntermediateSize = RequiredInt(root, "intermediate_size", source),
            NumHiddenLayers = RequiredInt(root, "num_hidden_layers", source),
            NumAttentionHeads = heads,
            NumKeyValueHeads = keyValueHeads,
            HeadDim = headDim,
            RmsNormEps = Double(root, "rms_norm_eps") ?? 1e-6,
            VocabSize = RequiredInt(root, "vocab_size", source),
            MaxPositionEmbeddings = Int(root, "max_position_embeddings") ?? (isQwen2 ? 32768 : 2048),
            Rope = ParseRope(root, source),
            TieWordEmbeddings = Bool(root, "tie_word_embeddings") ?? false,
            QkvBias = isQwen2 || attentionBias,
            OutputProjectionBias = !isQwen2 && attentionBias,
            MlpBias = Bool(root, "mlp_bias") ?? false,
            SlidingWindow = ParseSlidingWindow(root, modelType, source),
            BosTokenId = Int(root, "bos_token_id"),
            EosTokenIds = ParseTokenIds(root, "eos_token_id"),
        };
    }

    /// <summary>transformers 5 nests everything under rope_parameters; transformers 4 has rope_theta beside rope_scaling.</summary>
    private static RopeParameters ParseRope(JsonElement root, string source)
    {
        var parameters = Object(root, "rope_parameters");
        // Models with several attention kinds key rope_parameters by layer type; these decoders use full attention.
        if (parameters is { } nested && Object(nested, "full_attention") is { } fullAttention)
            parameters = fullAttention;
        var scaling = parameters ?? Object(root, "rope_scaling");
        var theta = (parameters is { } p ? Double(p, "rope_theta") : null) ?? Double(root, "rope_theta") ?? 10000.0;
        if (scaling is not { } settings)
            return new RopeParameters(theta);

        var typeName = String(settings, "rope_type") ?? String(settings, "type") ?? "default";
        return typeName switch
        {
            "default" => new RopeParameters(theta),
            "linear" => new RopeParameters(theta, RopeType.Linear, Factor: RequiredDouble(settings, "factor", source)),
            "llama3" => new RopeParameters(
                theta,
                RopeType.Llama3,
                Factor: RequiredDouble(settings, "factor", source),
                LowFreqFactor: RequiredDouble(settings, "low_freq_factor", source),
                HighFreqFactor: RequiredDouble(settings, "high_freq_factor", source),
                OriginalMaxPositionEmbeddings: RequiredInt(settings, "original_max_position_embeddings", source)),
            _ => throw new CheckpointException($"{source}: rope_type '{typeName}' is not supported (default, linear, llama3)"),
        };
    }

    private static int? ParseSlidingWindow(JsonElement root, string modelType, string source)
    {
        if (modelType == "qwen2")
            return (Bool(root, "use_sliding_window") ?? false)
                ? throw new CheckpointException($"{source}: qwen2 with use_sliding_window is not supported")
                : null;
        return modelType == "mistral" ? Int(root, "sliding_window") : null;
    }

    private static int[] ParseTokenIds(JsonElement root, string key) =>
        Value(root, key) switch
        {
            { ValueKind: JsonValueKind.Number } id => [id.GetInt32()],
            { ValueKind: JsonValueKind.Array } ids => ids.EnumerateArray().Select(id => id.GetInt32()).ToArray(),
            _ => [],
        };

    /// <summary>A key whose value is null counts as absent, as in transformers.</summary>
    private static JsonElement? Value(JsonElement element, string key) =>
        element.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static JsonElement? Object(JsonElement element, string key) =>
        Value(element, key) is { ValueKind: JsonValueKind.Object } value ? value : null;

    private static string? String(JsonElement element, string key) => Value(element, key)?.GetString();

    private static int? Int(JsonElement element, string key) => Value(element, key)?.GetInt32();

    private static double? Double(JsonElement element, string key) => Value(element, key)?.GetDouble();

    private static bool? Bool(JsonElement element, string key) => Value(element, key)?.GetBoolean();

    private static int RequiredInt(JsonElement element, string key, string source) => Int(element, key) ?? throw Missing(source, key);

    private static double RequiredDouble(JsonElement element, string key, string source) => Double(element, key) ?? throw Missing(source, key);

    private static CheckpointException Missing(string source, string key) => new($"{source} has no {key}");
}
