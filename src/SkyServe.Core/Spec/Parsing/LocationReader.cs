namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// Reads <c>infra: cloud[/region[/zone]]</c> (SkyPilot's grammar: <c>*</c> for any part, e.g. <c>gcp/*/us-central1-a</c>
/// or <c>*/us-east-1</c>) or <c>cloud:</c>/<c>region:</c>/<c>zone:</c> from one resources mapping, and turns merged fields
/// into a <see cref="CloudLocation"/>: a missing region is taken from the zone's name and a missing cloud from the
/// region's or zone's (<see cref="CloudNaming"/>), as SkyPilot finds them in its catalogs.
/// </summary>
internal sealed class LocationReader(SpecReadContext context)
{
    private const string Wildcard = "*";

    public LocationFields Read(MappingReader resources)
    {
        var infra = resources.Text("infra");
        var cloudKey = resources.Text("cloud");
        var region = resources.Text("region");
        var zone = resources.Text("zone");
        if (infra is not null)
        {
            if (cloudKey is not null || region is not null || zone is not null)
                context.Error(resources.PathOf("infra"), "infra cannot be combined with cloud, region or zone; write it all in infra: cloud/region/zone");
            return ParseInfra(infra, resources.PathOf("infra"));
        }
        var cloud = cloudKey is null ? null : CheckCloud(cloudKey, resources.PathOf("cloud"));
        if (cloudKey is not null && cloud is null)
            return LocationFields.None;
        return new LocationFields(cloud, Blank(region), Blank(zone), false);
    }

    /// <summary>The location flags given beside the spec, reported under their flag names.</summary>
    public LocationFields ReadOverrides(ResourceOverrides given)
    {
        if (given.Infra is { } infra)
        {
            if (given.Cloud is not null || given.Region is not null || given.Zone is not null)
                context.Error("--infra", "--infra cannot be combined with --cloud, --region or --zone");
            return ParseInfra(infra, "--infra");
        }
        var cloud = given.Cloud is null ? null : CheckCloud(given.Cloud, "--cloud");
        if (given.Cloud is not null && cloud is null)
            return LocationFields.None;
        return new LocationFields(cloud, Blank(given.Region), Blank(given.Zone), false);
    }

    /// <summary>
    /// The location for merged fields: null with no error when they name no place (anywhere), null with an error
    /// when they do not name one place.
    /// </summary>
    public CloudLocation? Resolve(LocationFields fields, string path)
    {
        if (fields.IsEmpty)
            return null;
        // Point at the key that names the place, so the error says which one to fix.
        path = SpecPath.Child(path, fields.FromInfra ? "infra" : fields.Zone is not null ? "zone" : "region");
        var cloud = fields.Cloud;
        if (cloud is null)
        {
            cloud = fields.Zone is not null ? CloudNaming.CloudOfZone(fields.Zone) : CloudNaming.CloudOfRegion(fields.Region!);
            if (cloud is null)
            {
                var place = fields.Zone is not null ? $"zone '{fields.Zone}'" : $"region '{fields.Region}'";
                context.Error(path, $"cannot tell which cloud {place} is in: write infra: CLOUD/{fields.Region ?? "*"}{(fields.Zone is null ? "" : "/" + fields.Zone)} (clouds: {string.Join(", ", SupportedClouds.All)})");
                return null;
            }
        }
        var region = fields.Region;
        if (fields.Zone is not null)
        {
            var zoneRegion = CloudNaming.RegionOfZone(cloud, fields.Zone);
            if (region is null && zoneRegion is null)
            {
                context.Error(path, $"zone '{fields.Zone}' needs its region: write infra: {cloud}/REGION/{fields.Zone}");
                return null;
            }
            if (region is not null && zoneRegion is not null && !string.Equals(region, zoneRegion, StringComparison.OrdinalIgnoreCase))
            {
                context.Error(path, $"zone '{fields.Zone}' is in region '{zoneRegion}', not '{region}'");
                return null;
            }
            region ??= zoneRegion;
        }
        return new CloudLocation(cloud, region, fields.Zone);
    }

    /// <summary>SkyPilot's InfraInfo.from_str: up to three parts, none empty, <c>*</c> meaning any.</summary>
    private LocationFields ParseInfra(string infra, string path)
    {
        var parts = infra.Trim().Trim('/').Split('/').Select(part => part.Trim()).ToArray();
        var cloudPart = parts[0];
        if (SupportedClouds.KubernetesNames.Contains(cloudPart.ToLowerInvariant()) || cloudPart.Equals("ssh", StringComparison.OrdinalIgnoreCase))
        {
            context.Error(path, SupportedClouds.UnsupportedMessage(cloudPart));
            return LocationFields.None;
        }
        if (parts.Any(part => part.Length == 0) || parts.Length > 3)
        {
            context.Error(path, $"infra must be cloud, cloud/region or cloud/region/zone, each part a name or * for any, got '{infra}'");
            return LocationFields.None;
        }
        string? cloud = null;
        if (cloudPart != Wildcard && (cloud = CheckCloud(cloudPart, path)) is null)
            return LocationFields.None;
        return new LocationFields(cloud, Part(parts, 1), Part(parts, 2), true);
    }

    private static string? Part(string[] parts, int index) =>
        parts.Length > index && parts[index] != Wildcard ? parts[index] : null;

    private string? CheckCloud(string cloud, string path)
    {
        var normalized = SupportedClouds.Normalize(cloud);
        if (normalized is null)
            context.Error(path, SupportedClouds.UnsupportedMessage(cloud));
        return normalized;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) || text.Trim() == Wildcard ? null : text.Trim();
}
