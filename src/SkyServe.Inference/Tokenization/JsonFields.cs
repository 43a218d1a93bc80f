using System.Text.Json;

namespace SkyServe.Inference.Tokenization;

/// <summary>Typed, defaulting access to tokenizer.json fields, with errors that name the component and field.</summary>
internal static class JsonFields
{
    public static bool IsNullOrMissing(this JsonElement element) =>
        element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined;

    public static JsonElement Field(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    public static string? OptionalString(this JsonElement element, string name)
    {
        var value = element.Field(name);
        return value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    public static string RequiredString(this JsonElement element, string name, string component) =>
        element.OptionalString(name) ?? throw new TokenizerLoadException($"tokenizer.json: {component} lacks the string field '{name}'");

    public static bool OptionalBool(this JsonElement element, string name, bool defaultValue)
    {
        var value = element.Field(name);
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => defaultValue,
        };
    }

    public static int OptionalInt(this JsonElement element, string name, int defaultValue)
    {
        var value = element.Field(name);
        return value.ValueKind == JsonValueKind.Number ? value.GetInt32() : defaultValue;
    }

    public static int RequiredInt(this JsonElement element, string name, string component)
    {
        var value = element.Field(name);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw new TokenizerLoadException($"tokenizer.json: {component} lacks the integer field '{name}'");
    }

    /// <summary>The component's "type" discriminator; the error names where it was expected.</summary>
    public static string TypeName(this JsonElement element, string component) =>
        element.OptionalString("type") ?? throw new TokenizerLoadException($"tokenizer.json: {component} has no 'type'");

    /// <summary>A single-character setting such as Metaspace's replacement, which the JSON stores as a string.</summary>
    public static char RequiredChar(this JsonElement element, string name, string component)
    {
        var text = element.RequiredString(name, component);
        return text.Length == 1
            ? text[0]
            : throw new TokenizerLoadException($"tokenizer.json: {component} field '{name}' must be one character, got '{text}'");
    }

    public static TokenizerLoadException Unsupported(string component, string type, string supported) =>
        new($"tokenizer.json: {component} type '{type}' is not supported (supported: {supported})");

    /// <summary>A {"String": ...} or {"Regex": ...} pattern, as Split and Replace carry them.</summary>
    public static (string? Literal, string? Regex) Pattern(this JsonElement element, string component)
    {
        var pattern = element.Field("pattern");
        if (pattern.OptionalString("String") is { } literal)
            return (literal, null);
        if (pattern.OptionalString("Regex") is { } regex)
            return (null, regex);
        throw new TokenizerLoadException($"tokenizer.json: {component} needs a pattern of the form {{\"String\": ...}} or {{\"Regex\": ...}}");
    }

    public static JsonElement.ArrayEnumerator RequiredArray(this JsonElement element, string name, string component)
    {
        var value = element.Field(name);
        return value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray()
            : throw new TokenizerLoadException($"tokenizer.json: {component} lacks the list '{name}'");
    }
}
