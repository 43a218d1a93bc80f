using YamlDotNet.RepresentationModel;
using static SkyServe.Core.Catalog.Parsing.CatalogNodeReader;

namespace SkyServe.Core.Catalog.Parsing;

/// <summary>
/// Reads the local runtime's simulated clouds (<c>simulated_clouds: [...]</c>; see config/catalog/local.yaml).
/// Each instance type stands for a real catalog entry and takes its size and its prices in the same region,
/// so a stands_for that does not resolve in every simulated region is an error.
/// </summary>
internal static class LocalFileReader
{
    public const string SimulatedCloudsKey = "simulated_clouds";

    public static List<(string Cloud, YamlNode CloudNode, List<InstanceOffering> Offerings)> Read(
        YamlMappingNode root, CatalogNodeReader reader, IReadOnlyDictionary<string, CatalogEntry> entries)
    {
        reader.AllowOnly(root, "", SimulatedCloudsKey);
        var clouds = reader.List(reader.Required(root, "", SimulatedCloudsKey), SimulatedCloudsKey, "simulated clouds");
        var result = new List<(string, YamlNode, List<InstanceOffering>)>();
        for (var i = 0; i < clouds.Children.Count; i++)
        {
            var path = Item(SimulatedCloudsKey, i);
            var mapping = reader.Mapping(clouds.Children[i], path, "a simulated cloud");
            reader.AllowOnly(mapping, path, "cloud", "regions", "instance_types");
            var cloudNode = reader.Required(mapping, path, "cloud");
            var cloud = reader.Name(cloudNode, Child(path, "cloud"));
            if (result.Any(r => string.Equals(r.Item1, cloud, StringComparison.OrdinalIgnoreCase)))
                throw reader.Error(cloudNode, Child(path, "cloud"), $"simulated cloud '{cloud}' is listed twice");
            var regions = ReadRegions(mapping, path, reader);
            result.Add((cloud, cloudNode, ReadTypes(cloud, mapping, path, regions, reader, entries)));
        }
        return result;
    }

    private static List<(string Name, IReadOnlyList<string> Zones)> ReadRegions(YamlMappingNode cloud, string cloudPath, CatalogNodeReader reader)
    {
        var path = Child(cloudPath, "regions");
        var list = reader.List(reader.Required(cloud, cloudPath, "regions"), path, "regions");
        var regions = new List<(string Name, IReadOnlyList<string> Zones)>();
        var zonesSeen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var itemPath = Item(path, i);
            var mapping = reader.Mapping(list.Children[i], itemPath, "a region");
            reader.AllowOnly(mapping, itemPath, "name", "zones");
            var name = reader.Name(reader.Required(mapping, itemPath, "name"), Child(itemPath, "name"));
            if (regions.Any(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase)))
                throw reader.Error(mapping, Child(itemPath, "name"), $"region '{name}' is listed twice");
            var zonesNode = reader.Required(mapping, itemPath, "zones");
            var zones = reader.Names(zonesNode, Child(itemPath, "zones"), "zones");
            if (zones.FirstOrDefault(z => !zonesSeen.Add(z)) is { } twice)
                throw reader.Error(zonesNode, Child(itemPath, "zones"), $"zone '{twice}' is already in another region");
            regions.Add((name, zones));
        }
        return regions;
    }

    private static List<InstanceOffering> ReadTypes(
        string cloud,
        YamlMappingNode cloudMapping,
        string cloudPath,
        List<(string Name, IReadOnlyList<string> Zones)> regions,
        CatalogNodeReader reader,
        IReadOnlyDictionary<string, CatalogEntry> entries)
    {
        var path = Child(cloudPath, "instance_types");
        var list = reader.List(reader.Required(cloudMapping, cloudPath, "instance_types"), path, "instance types");
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var offerings = new List<InstanceOffering>();
        for (var i = 0; i < list.Children.Count; i++)
        {
            var itemPath = Item(path, i);
            var mapping = reader.Mapping(list.Children[i], itemPath, "an instance type");
            reader.AllowOnly(mapping, itemPath, "name", "stands_for");
            var name = reader.Name(reader.Required(mapping, itemPath, "name"), Child(itemPath, "name"));
            if (!names.Add(name))
                throw reader.Error(mapping, Child(itemPath, "name"), $"instance type '{name}' is listed twice in simulated cloud '{cloud}'");

            var standsForPath = Child(itemPath, "stands_for");
            var standsForNode = reader.Required(mapping, itemPath, "stands_for");
            var standsFor = reader.Name(standsForNode, standsForPath);
            if (standsFor.Split('/') is not [{ Length: > 0 }, { Length: > 0 }])
                throw reader.Error(standsForNode, standsForPath, $"expected <cloud>/<instance type>, e.g. aws/g5.xlarge, got '{standsFor}'");
            if (!entries.TryGetValue(standsFor, out var entry))
                throw reader.Error(standsForNode, standsForPath, $"'{standsFor}' is not in the catalog");

            foreach (var (region, zones) in regions)
            {
                // Same region name, same prices: that is what "stands for" promises.
                var prices = entry.InRegion(region) ?? throw reader.Error(standsForNode, standsForPath,
                    $"'{entry.Key}' has no prices in {region}; it is offered in {string.Join(", ", entry.Regions.Select(r => r.Region))}");
                offerings.AddRange(zones.Select(zone =>
                    entry.Offering(region, zone, prices.OnDemand, prices.Spot) with { Cloud = cloud, InstanceType = name, StandsFor = entry.Key }));
            }
        }
        return offerings;
    }
}
