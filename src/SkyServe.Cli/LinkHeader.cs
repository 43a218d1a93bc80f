using System.Text.RegularExpressions;

namespace SkyServe.Cli;

/// <summary>RFC 8288 Link headers, as the controller's paged lists give them (GitHub-style).</summary>
internal static partial class LinkHeader
{
    /// <summary>The target of the link whose rel is (or includes) "next", resolved against the request's URL; null when none.</summary>
    public static Uri? Next(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
            return null;
        foreach (Match link in values.SelectMany(v => LinkValue().Matches(v)))
        {
            if (IsNext(link.Groups["params"].Value) && Uri.TryCreate(response.RequestMessage!.RequestUri!, link.Groups["url"].Value, out var target))
                return target;
        }
        return null;
    }

    // rel may hold several space-separated relation types ("next last").
    private static bool IsNext(string parameters) =>
        RelParam().Match(parameters) is { Success: true } rel
        && rel.Groups["rel"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("next", StringComparer.OrdinalIgnoreCase);

    // One link: <URL> and its parameters, up to the comma before the next link.
    [GeneratedRegex("""<(?<url>[^>]*)>(?<params>[^,]*)""")]
    private static partial Regex LinkValue();

    [GeneratedRegex(""";\s*rel\s*=\s*(?:"(?<rel>[^"]*)"|(?<rel>[^\s;,"]+))""", RegexOptions.IgnoreCase)]
    private static partial Regex RelParam();
}
