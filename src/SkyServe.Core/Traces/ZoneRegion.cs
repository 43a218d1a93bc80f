using System.Text.RegularExpressions;

namespace SkyServe.Core.Traces;

/// <summary>The region a zone name belongs to, for zones whose regions share capacity pressure.</summary>
public static partial class ZoneRegion
{
    /// <summary>
    /// AWS <c>us-west-2c</c> → <c>us-west-2</c>; GCP <c>us-central1-a</c> → <c>us-central1</c>; Azure-style
    /// <c>eastus-1</c> → <c>eastus</c>; any other name is its own region.
    /// </summary>
    public static string Of(string zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var aws = AwsZone().Match(zone);
        if (aws.Success)
            return aws.Groups["region"].Value;
        var suffixed = SuffixedZone().Match(zone);
        return suffixed.Success ? suffixed.Groups["region"].Value : zone;
    }

    [GeneratedRegex(@"^(?<region>.+[0-9])[a-z]$")]
    private static partial Regex AwsZone();

    [GeneratedRegex(@"^(?<region>.+)-[a-z0-9]$")]
    private static partial Regex SuffixedZone();
}
