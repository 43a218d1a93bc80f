using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace SkyServe.Providers.Gcp;

/// <summary>
/// Machine tags ↔ GCE labels. Labels allow lowercase letters, digits, '_' and '-', at most 63 characters, keys
/// starting with a letter. A tag that already fits is used as it is; one that does not becomes a readable, lowercased
/// prefix plus a hash of the original, so the mapping is deterministic (list filters use it too) and two different
/// tags never share a label. The exact tags also travel in the instance metadata, which is what is read back.
/// </summary>
internal static partial class GceLabels
{
    public const int MaxLength = 63;

    public static Dictionary<string, string> FromTags(IReadOnlyDictionary<string, string> tags) =>
        tags.ToDictionary(t => Key(t.Key), t => Value(t.Value));

    public static string Key(string key) => ValidKey().IsMatch(key) ? key : Encode(key, startWithLetter: true);

    public static string Value(string value) => ValidValue().IsMatch(value) ? value : Encode(value, startWithLetter: false);

    /// <summary>A list filter matching every given tag: <c>(labels.k = "v") AND ...</c>.</summary>
    public static string Filter(IReadOnlyDictionary<string, string> tags) =>
        string.Join(" AND ", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"(labels.{Key(t.Key)} = \"{Value(t.Value)}\")"));

    private static string Encode(string text, bool startWithLetter)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
        var readable = Invalid().Replace(text.ToLowerInvariant(), "-").Trim('-');
        if (startWithLetter && (readable.Length == 0 || !char.IsAsciiLetterLower(readable[0])))
            readable = "t-" + readable;
        readable = readable[..Math.Min(readable.Length, MaxLength - hash.Length - 2)].TrimEnd('-');
        return $"{readable}--{hash}";
    }

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,62}$")]
    private static partial Regex ValidKey();

    [GeneratedRegex("^[a-z0-9_-]{0,63}$")]
    private static partial Regex ValidValue();

    [GeneratedRegex("[^a-z0-9_-]+")]
    private static partial Regex Invalid();
}
