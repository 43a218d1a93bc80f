using System.Text;
using System.Text.Json.Nodes;
using SkyServe.Core.Spec.Parsing;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec;

/// <summary>
/// Hides values wherever a spec is shown (the effective spec, the text as submitted): the values of <c>secrets</c>
/// always, those of <c>envs</c> (API keys, passwords) unless the caller asked to see envs (show_secrets). Names stay
/// visible. Secret values are never shown anywhere, as SkyPilot's secrets.
/// </summary>
public static class SpecSecrets
{
    public const string Redacted = "<redacted>";

    /// <summary>Secret values shorter than this are not searched for in free text: "1" would blank every digit.</summary>
    private const int MinSearchedLength = 4;

    /// <summary>
    /// The effective spec (<see cref="EffectiveSpecJson"/>) with every <c>secrets</c> value replaced, and every <c>envs</c>
    /// value unless <paramref name="showEnvs"/>, in place.
    /// </summary>
    public static JsonNode? Redact(JsonNode? spec, bool showEnvs = false)
    {
        if (spec is not JsonObject root)
            return spec;
        RedactValues(root["secrets"]);
        if (!showEnvs)
            RedactValues(root["envs"]);
        return spec;
    }

    /// <summary>The effective spec with every <c>envs</c> and <c>secrets</c> value replaced, in place.</summary>
    public static JsonNode? RedactEnvs(JsonNode? spec) => Redact(spec);

    /// <summary>
    /// The spec text as submitted with each <c>secrets</c> value (and <c>envs</c> value unless <paramref name="showEnvs"/>)
    /// replaced where it stands, so that comments and layout stay; a secret value written elsewhere in the text too
    /// is replaced there as well. Text that does not parse is withheld whole: nothing in it can be told safe.
    /// </summary>
    public static string RedactText(string text, bool showEnvs = false)
    {
        var root = SpecDocumentLoader.Load(text, new SpecReadContext());
        if (root is null)
            return Redacted;
        var secretValues = ValuesOf(root, "secrets").ToList();
        var values = showEnvs ? secretValues : secretValues.Concat(ValuesOf(root, "envs")).ToList();
        var offset = text.Length - text.TrimStart('\uFEFF').Length; // the loader's marks count from after a BOM
        var redacted = new StringBuilder(text);
        foreach (var value in values.Where(v => v.End.Index > v.Start.Index).DistinctBy(v => v.Start.Index).OrderByDescending(v => v.Start.Index))
        {
            var start = offset + (int)value.Start.Index;
            var end = offset + (int)value.End.Index;
            // A block scalar (|, >) ends after its line breaks: keep them, so the next key stays on its own line.
            while (end > start && char.IsWhiteSpace(text[end - 1]))
                end--;
            redacted.Remove(start, end - start).Insert(start, "\"" + Redacted + "\"");
        }
        return RedactLiterals(redacted.ToString(), secretValues.OfType<YamlScalarNode>().Select(scalar => scalar.Value ?? ""));
    }

    /// <summary>
    /// <paramref name="text"/> (a log line, an event reason, an error) with every occurrence of each of
    /// <paramref name="secretValues"/> replaced by <see cref="Redacted"/>.
    /// </summary>
    public static string RedactLiterals(string text, IEnumerable<string> secretValues)
    {
        foreach (var value in secretValues.Where(v => v.Trim().Length >= MinSearchedLength).Distinct().OrderByDescending(v => v.Length))
            text = text.Replace(value, Redacted, StringComparison.Ordinal);
        return text;
    }

    private static IEnumerable<YamlNode> ValuesOf(YamlMappingNode root, string key)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(key), out var section) || YamlScalars.IsNull(section))
            return [];
        // Not Children.Values: its CopyTo (used by ToList and Concat) fails in YamlDotNet 16.
        return section is YamlMappingNode mapping ? [.. mapping.Children.Select(entry => entry.Value)] : [section];
    }

    private static void RedactValues(JsonNode? map)
    {
        if (map is not JsonObject values)
            return;
        foreach (var name in values.Select(entry => entry.Key).ToList())
            values[name] = Redacted;
    }
}
