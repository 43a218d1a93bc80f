using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SkyServe.Cloud.Emulators.Gcp;

/// <summary>
/// The subset of Compute Engine list filters the emulator understands: comparisons <c>field = "value"</c> and
/// <c>field != "value"</c> on a (dotted) field of the resource, optionally parenthesised, joined by AND or by juxtaposition.
/// Anything else is refused as an invalid filter, as GCE refuses what it cannot parse.
/// </summary>
internal sealed partial class GceFilter
{
    private readonly List<(string Field, bool Equal, string Value)> terms;

    private GceFilter(List<(string, bool, string)> terms) => this.terms = terms;

    public static GceFilter? Parse(string? text)
    {
        var terms = new List<(string, bool, string)>();
        if (string.IsNullOrWhiteSpace(text))
            return new GceFilter(terms);
        var rest = text.Trim();
        while (rest.Length > 0)
        {
            var match = Term().Match(rest);
            if (!match.Success)
                return null;
            var value = match.Groups["quoted"].Success ? match.Groups["quoted"].Value.Replace("\\\"", "\"") : match.Groups["bare"].Value;
            terms.Add((match.Groups["field"].Value, match.Groups["op"].Value == "=", value));
            rest = rest[match.Length..].TrimStart();
            if (rest.StartsWith("AND ", StringComparison.Ordinal))
                rest = rest[4..].TrimStart();
        }
        return new GceFilter(terms);
    }

    public bool Matches(JsonObject resource) => terms.All(t =>
    {
        JsonNode? node = resource;
        foreach (var part in t.Field.Split('.'))
            node = node is JsonObject o && o.TryGetPropertyValue(part, out var child) ? child : null;
        var actual = node?.ToString();
        return t.Equal ? actual == t.Value : actual != t.Value;
    });

    [GeneratedRegex("""^\(?\s*(?<field>[A-Za-z][A-Za-z0-9_.-]*)\s*(?<op>!=|=)\s*(?:"(?<quoted>(?:[^"\\]|\\.)*)"|(?<bare>[^\s()]+))\s*\)?""")]
    private static partial Regex Term();
}
