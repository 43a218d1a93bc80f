using System.Text.RegularExpressions;

namespace SkyServe.Core.Spec;

/// <summary>
/// Tells a zone's region and a region's or zone's cloud from their names, as SkyPilot looks them up in its
/// catalogs: AWS zone names are the region plus a letter (<c>us-east-1a</c>) and AWS zone IDs (which the catalog
/// uses) abbreviate it (<c>use1-az1</c>, <c>apne1-az2</c>); GCP's are the region plus <c>-letter</c>
/// (<c>us-central1-a</c>), and the catalog's Azure zones the region plus <c>-digit</c> (<c>eastus-1</c>). The spec
/// parser needs no catalog this way; a test checks the rule against every zone of config/catalog.
/// </summary>
public static partial class CloudNaming
{
    /// <summary>The region of <paramref name="zone"/> in <paramref name="cloud"/>, or null when the name does not tell.</summary>
    public static string? RegionOfZone(string cloud, string zone)
    {
        if (cloud == SupportedClouds.Aws && AwsZoneId().Match(zone) is { Success: true } id)
            return $"{id.Groups["geo"].Value}-{Directions[id.Groups["direction"].Value]}-{id.Groups["number"].Value}";
        var match = cloud switch
        {
            SupportedClouds.Aws => AwsZone().Match(zone),
            SupportedClouds.Gcp => GcpZone().Match(zone),
            SupportedClouds.Azure => AzureZone().Match(zone),
            _ => Match.Empty,
        };
        return match.Success ? match.Groups["region"].Value : null;
    }

    /// <summary>The one public cloud whose zones are named like <paramref name="zone"/>, or null.</summary>
    public static string? CloudOfZone(string zone) =>
        One(AwsZone().IsMatch(zone) || AwsZoneId().IsMatch(zone), GcpZone().IsMatch(zone), AzureZone().IsMatch(zone));

    /// <summary>The one public cloud whose regions are named like <paramref name="region"/>, or null.</summary>
    public static string? CloudOfRegion(string region) =>
        One(AwsRegion().IsMatch(region), GcpRegion().IsMatch(region), AzureRegion().IsMatch(region));

    private static string? One(bool aws, bool gcp, bool azure) =>
        (aws ? 1 : 0) + (gcp ? 1 : 0) + (azure ? 1 : 0) != 1 ? null
        : aws ? SupportedClouds.Aws : gcp ? SupportedClouds.Gcp : SupportedClouds.Azure;

    private static readonly Dictionary<string, string> Directions = new(StringComparer.Ordinal)
    {
        ["e"] = "east", ["w"] = "west", ["n"] = "north", ["s"] = "south", ["c"] = "central",
        ["ne"] = "northeast", ["nw"] = "northwest", ["se"] = "southeast", ["sw"] = "southwest",
    };

    [GeneratedRegex("^(?<geo>[a-z]{2})(?<direction>ne|nw|se|sw|e|w|n|s|c)(?<number>[0-9]+)-az[0-9]+$")]
    private static partial Regex AwsZoneId();

    [GeneratedRegex("^(?<region>[a-z]{2}(-[a-z]+)+-[0-9]+)[a-z]$")]
    private static partial Regex AwsZone();

    [GeneratedRegex("^(?<region>[a-z]+-[a-z]+[0-9]+)-[a-z]$")]
    private static partial Regex GcpZone();

    [GeneratedRegex("^(?<region>[a-z]+[0-9]*)-[0-9]$")]
    private static partial Regex AzureZone();

    [GeneratedRegex("^[a-z]{2}(-[a-z]+)+-[0-9]+$")]
    private static partial Regex AwsRegion();

    [GeneratedRegex("^[a-z]+-[a-z]+[0-9]+$")]
    private static partial Regex GcpRegion();

    [GeneratedRegex("^[a-z]+[0-9]*$")]
    private static partial Regex AzureRegion();
}
