using System.Collections.Immutable;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;
using static SkyServe.Core.Catalog.Parsing.CatalogNodeReader;

namespace SkyServe.Core.Catalog.Parsing;

/// <summary>
/// Reads a cloud's price list (<c>cloud: aws</c>, <c>instance_types: [...]</c>; see config/catalog/aws.yaml)
/// and checks what placement relies on: sizes and prices positive, spot below on-demand, every name unique,
/// every zone in one region only, accelerators spelt as SkyPilot spells them.
/// </summary>
internal static partial class CloudFileReader
{
    public const string CloudKey = "cloud";

    public static (string Cloud, YamlNode CloudNode, ImmutableArray<CatalogEntry> Entries) Read(YamlMappingNode root, CatalogNodeReader reader)
    {
        reader.AllowOnly(root, "", CloudKey, "instance_types");
        var cloudNode = reader.Required(root, "", CloudKey);
        var cloud = reader.Name(cloudNode, CloudKey);
        if (!CloudNamePattern().IsMatch(cloud))
            throw reader.Error(cloudNode, CloudKey, $"expected a lower-case cloud name such as aws, gcp or azure, got '{cloud}'");

        var types = reader.List(reader.Required(root, "", "instance_types"), "instance_types", "instance types");
        var entries = new List<CatalogEntry>();
        var regionOfZone = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < types.Children.Count; i++)
        {
            var path = Item("instance_types", i);
            var entry = ReadEntry(cloud, types.Children[i], path, reader, regionOfZone);
            if (entries.Any(e => string.Equals(e.InstanceType, entry.InstanceType, StringComparison.OrdinalIgnoreCase)))
                throw reader.Error(types.Children[i], Child(path, "name"), $"instance type '{entry.InstanceType}' is listed twice");
            entries.Add(entry);
        }
        return (cloud, cloudNode, [.. entries]);
    }

    private static CatalogEntry ReadEntry(
        string cloud, YamlNode node, string path, CatalogNodeReader reader, Dictionary<string, string> regionOfZone)
    {
        var mapping = reader.Mapping(node, path, "an instance type");
        reader.AllowOnly(mapping, path,
            "name", "accelerator", "accelerator_count", "gpu_memory_gib", "attached", "vcpus", "memory_gib", "regions");
        var name = reader.Name(reader.Required(mapping, path, "name"), Child(path, "name"));

        string? accelerator = null;
        var (count, gpuMemory, attached) = (0, 0.0, false);
        if (Optional(mapping, "accelerator") is { } acceleratorNode)
        {
            accelerator = reader.Name(acceleratorNode, Child(path, "accelerator"));
            var canonical = KnownAccelerators.Canonical(accelerator);
            if (canonical != accelerator)
            {
                throw reader.Error(acceleratorNode, Child(path, "accelerator"), canonical is null
                    ? $"unknown accelerator '{accelerator}' (SkyPilot names: {string.Join(", ", KnownAccelerators.Names)})"
                    : $"write '{canonical}', SkyPilot's spelling, not '{accelerator}'");
            }
            count = reader.Count(reader.Required(mapping, path, "accelerator_count"), Child(path, "accelerator_count"), 1);
            gpuMemory = reader.Size(reader.Required(mapping, path, "gpu_memory_gib"), Child(path, "gpu_memory_gib"));
            if (Optional(mapping, "attached") is { } attachedNode)
                attached = reader.Flag(attachedNode, Child(path, "attached"));
        }
        else
        {
            foreach (var key in new[] { "accelerator_count", "gpu_memory_gib", "attached" })
            {
                if (Optional(mapping, key) is { } stray)
                    throw reader.Error(stray, Child(path, key), "only instance types with an accelerator can have this key");
            }
        }

        var vcpus = reader.Size(reader.Required(mapping, path, "vcpus"), Child(path, "vcpus"));
        var memory = reader.Size(reader.Required(mapping, path, "memory_gib"), Child(path, "memory_gib"));
        var regionsPath = Child(path, "regions");
        var regionList = reader.List(reader.Required(mapping, path, "regions"), regionsPath, "regions");
        var regions = new List<RegionPrices>();
        for (var i = 0; i < regionList.Children.Count; i++)
        {
            var region = ReadRegion(regionList.Children[i], Item(regionsPath, i), reader, regionOfZone);
            if (regions.Any(r => string.Equals(r.Region, region.Region, StringComparison.OrdinalIgnoreCase)))
                throw reader.Error(regionList.Children[i], Child(Item(regionsPath, i), "name"), $"region '{region.Region}' is listed twice");
            regions.Add(region);
        }
        return new CatalogEntry(cloud, name, accelerator, count, gpuMemory, vcpus, memory, attached, [.. regions]);
    }

    private static RegionPrices ReadRegion(
        YamlNode node, string path, CatalogNodeReader reader, Dictionary<string, string> regionOfZone)
    {
        var mapping = reader.Mapping(node, path, "a region");
        reader.AllowOnly(mapping, path, "name", "zones", "on_demand", "spot", "spot_zones");
        var name = reader.Name(reader.Required(mapping, path, "name"), Child(path, "name"));
        var zonesNode = reader.Required(mapping, path, "zones");
        var zones = reader.Names(zonesNode, Child(path, "zones"), "zones");
        foreach (var zone in zones)
        {
            // A zone under two regions is a copy-paste slip that would send launches to the wrong place.
            if (regionOfZone.TryGetValue(zone, out var known) && !string.Equals(known, name, StringComparison.OrdinalIgnoreCase))
                throw reader.Error(zonesNode, Child(path, "zones"), $"zone '{zone}' belongs to region '{known}' elsewhere in this file, not to '{name}'");
            regionOfZone[zone] = name;
        }
        var onDemand = reader.Price(reader.Required(mapping, path, "on_demand"), Child(path, "on_demand"));

        decimal? spot = null;
        if (Optional(mapping, "spot") is { } spotNode)
        {
            spot = reader.Price(spotNode, Child(path, "spot"));
            if (spot >= onDemand)
                throw reader.Error(spotNode, Child(path, "spot"), $"spot price {spot} is not below the on-demand price {onDemand}");
        }

        var spotZones = ImmutableArray<string>.Empty;
        if (Optional(mapping, "spot_zones") is { } spotZonesNode)
        {
            var spotZonesPath = Child(path, "spot_zones");
            if (spot is null)
                throw reader.Error(spotZonesNode, spotZonesPath, "spot_zones needs a spot price");
            spotZones = reader.Names(spotZonesNode, spotZonesPath, "zones");
            if (spotZones.FirstOrDefault(z => !zones.Contains(z, StringComparer.OrdinalIgnoreCase)) is { } stranger)
                throw reader.Error(spotZonesNode, spotZonesPath, $"zone '{stranger}' is not one of this region's zones ({string.Join(", ", zones)})");
        }
        return new RegionPrices(name, zones, onDemand, spot, spotZones);
    }

    [GeneratedRegex("^[a-z][a-z0-9-]*$")]
    private static partial Regex CloudNamePattern();
}
