namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// Reads <c>infra: cloud[/region[/zone]]</c> or <c>cloud:</c>/<c>region:</c>/<c>zone:</c> from one resources
/// mapping and turns merged fields into a <see cref="CloudLocation"/>.
/// </summary>
internal sealed class LocationReader(SpecReadContext context)
{
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
        return new LocationFields(cloud, Blank(region), Blank(zone), false);
    }

    /// <summary>The location for merged fields, or null with an error when they do not name a place.</summary>
    public CloudLocation? Resolve(LocationFields fields, string path)
    {
        if (fields.Cloud is null)
        {
            context.Error(path, "a region or zone needs a cloud: write infra: cloud/region[/zone] (clouds: " + string.Join(", ", SupportedClouds.All) + ")");
            return null;
        }
        if (fields.Zone is not null && fields.Region is null)
        {
            context.Error(path, $"zone '{fields.Zone}' needs its region: write infra: {fields.Cloud}/REGION/{fields.Zone}");
            return null;
        }
        return new CloudLocation(fields.Cloud, fields.Region, fields.Zone);
    }

    private LocationFields ParseInfra(string infra, string path)
    {
        var parts = infra.Trim().Split('/');
        if (parts.Length > 3 || parts.Any(part => part.Length == 0 || part == "*"))
        {
            // Check the cloud first, so k8s/my-context says "unsupported cloud" rather than "malformed".
            if (SupportedClouds.Normalize(parts[0]) is null && parts[0].Length > 0)
                CheckCloud(parts[0], path);
            else
                context.Error(path, $"infra must be cloud, cloud/region or cloud/region/zone (no wildcards), got '{infra}'");
            return LocationFields.None;
        }
        var cloud = CheckCloud(parts[0], path);
        return cloud is null
            ? LocationFields.None
            : new LocationFields(cloud, parts.Length > 1 ? parts[1] : null, parts.Length > 2 ? parts[2] : null, true);
    }

    private string? CheckCloud(string cloud, string path)
    {
        var normalized = SupportedClouds.Normalize(cloud);
        if (normalized is null)
            context.Error(path, $"unsupported cloud '{cloud}' (supported: {string.Join(", ", SupportedClouds.All)})");
        return normalized;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
