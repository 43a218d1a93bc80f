using System.Text;
using System.Text.Json.Nodes;
using SkyServe.Core.Spec.Parsing;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec;

/// <summary>
/// Hides the values of a spec's <c>envs</c> (API keys, passwords) wherever a spec is shown: the effective spec and the
/// text as submitted. Names stay visible; the API and the CLI reveal values only when asked (show_secrets).
/// </summary>
public static class SpecSecrets
{
    public const string Redacted = "<redacted>";

    /// <summary>The effective spec (<see cref="EffectiveSpecJson"/>) with every <c>envs</c> value replaced, in place.</summary>
    public static JsonNode? RedactEnvs(JsonNode? spec)
    {
        if (spec is JsonObject { } root && root["envs"] is JsonObject envs)
        {
            foreach (var name in envs.Select(entry => entry.Key).ToList())
                envs[name] = Redacted;
        }
        return spec;
    }

    /// <summary>
    /// The spec text as submitted with each <c>envs</c> value replaced where it stands, so that comments and layout
    /// stay. Text that does not parse is withheld whole: nothing in it can be told safe.
    /// </summary>
    public static string RedactText(string text)
    {
        var root = SpecDocumentLoader.Load(text, new SpecReadContext());
        if (root is null)
            return Redacted;
        if (!root.Children.TryGetValue(new YamlScalarNode("envs"), out var envs) || YamlScalars.IsNull(envs))
            return text;
        IEnumerable<YamlNode> values = envs is YamlMappingNode mapping ? mapping.Children.Values : [envs];
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
        return redacted.ToString();
    }
}
