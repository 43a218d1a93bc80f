using System.Collections.ObjectModel;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// Reads the <c>resources:</c> section: machine shape, spot or on-demand, and candidate locations from
/// <c>any_of</c>/<c>ordered</c> laid over the top-level location keys. Checks that replicas are all spot or
/// all on-demand, as SkyServe requires.
/// </summary>
internal sealed class ResourcesReader(SpecReadContext context)
{
    private const string Path = "resources";

    public static readonly SpecKeys Keys = new(
        [
            "infra", "cloud", "region", "zone", "accelerators", "use_spot", "any_of", "ordered", "ports",
            "disk_size", "disk_tier", "instance_type", "cpus", "memory", "image_id", "labels",
        ],
        new Dictionary<string, string>
        {
            ["job_recovery"] = "job_recovery is disabled for SkyServe; the service replaces preempted spot replicas itself",
            ["spot_recovery"] = "spot_recovery is disabled for SkyServe; the service replaces preempted spot replicas itself",
            ["accelerator_args"] = "TPUs are not supported",
            ["network_tier"] = "network tiers are not supported",
            ["local_disk"] = "local disks are not supported",
            ["max_hourly_cost"] = "prices are taken from the catalog; cap cost with the replica policy",
            ["autostop"] = "replicas are stopped by the service, not by autostop",
            ["volumes"] = "volumes are not supported",
            ["ephemeral_storage"] = "use disk_size",
            ["priority"] = "job priorities are not supported",
        });

    public static readonly SpecKeys LocationItemKeys = new(["infra", "cloud", "region", "zone", "use_spot"]);

    private static readonly string[] DiskTiers = ["low", "medium", "high", "ultra", "best"];

    public ResourcesSpec Read(MappingReader top)
    {
        var resources = top.Mapping("resources", Keys);
        if (resources is null)
            return ResourcesSpec.Default;

        var (accelerators, acceleratorsOrdered) = new AcceleratorsReader(context).Read(resources.Value("accelerators"), resources.PathOf("accelerators"));
        var useSpot = resources.Boolean("use_spot") ?? false;
        var (locations, locationsOrdered, spotByLocation) = ReadLocations(resources, useSpot);
        CheckAllSpotOrNone(resources, spotByLocation, useSpot);

        return new ResourcesSpec
        {
            Accelerators = accelerators,
            AcceleratorsOrdered = acceleratorsOrdered,
            UseSpot = spotByLocation.Count > 0 ? spotByLocation[0].UseSpot : useSpot,
            Locations = locations,
            LocationsOrdered = locationsOrdered,
            Ports = new PortsReader(context).Read(resources.Value("ports"), resources.PathOf("ports")),
            DiskSizeGb = ReadDiskSize(resources) ?? SpecDefaults.DiskSizeGb,
            DiskTier = resources.OneOf("disk_tier", DiskTiers),
            InstanceType = resources.Text("instance_type"),
            Cpus = ReadQuantity(resources, "cpus", SpecPatterns.CpuCount(), "a CPU count such as 8 or 8+"),
            Memory = ReadQuantity(resources, "memory", SpecPatterns.MemorySize(), "a memory size in GB such as 32 or 32+"),
            ImageId = resources.Text("image_id"),
            Labels = new StringMapReader(context).Read(
                resources.Value("labels"), resources.PathOf("labels"), SpecPatterns.LabelName(), "label keys are letters, digits and - _ . / :"),
        };
    }

    private (IReadOnlyList<CloudLocation> Locations, bool Ordered, List<(string Path, bool UseSpot)> SpotByLocation) ReadLocations(
        MappingReader resources, bool topLevelSpot)
    {
        var locationReader = new LocationReader(context);
        var baseFields = locationReader.Read(resources);
        var spotByLocation = new List<(string Path, bool UseSpot)>();
        var locations = new List<CloudLocation>();

        if (resources.Contains("any_of") && resources.Contains("ordered"))
            context.Error(resources.PathOf("ordered"), resources.KeyNode("ordered")!, "any_of and ordered cannot both be set");
        var ordered = resources.Value("any_of") is null && resources.Value("ordered") is not null;
        var listKey = ordered ? "ordered" : "any_of";
        var listNode = resources.Value(listKey);

        if (listNode is YamlSequenceNode { Children.Count: > 0 } items)
        {
            for (var index = 0; index < items.Children.Count; index++)
            {
                var itemPath = SpecPath.Item(resources.PathOf(listKey), index);
                if (items.Children[index] is not YamlMappingNode itemNode)
                {
                    context.Error(itemPath, items.Children[index], $"expected a mapping such as {{infra: aws/us-east-1}}, got {YamlScalars.Describe(items.Children[index])}");
                    continue;
                }
                var item = new MappingReader(context, itemNode, itemPath, LocationItemKeys);
                var fields = locationReader.Read(item).Over(baseFields);
                spotByLocation.Add((item.PathOf("use_spot"), item.Boolean("use_spot") ?? topLevelSpot));
                if (context.HasErrorsUnder(itemPath) || fields.IsEmpty)
                {
                    if (fields.IsEmpty && !context.HasErrorsUnder(itemPath))
                        context.Error(itemPath, itemNode, "this entry names no location: give infra, or cloud/region/zone");
                    continue;
                }
                if (locationReader.Resolve(fields, itemPath) is { } location)
                {
                    if (locations.Contains(location))
                        context.Error(itemPath, itemNode, $"location {location} is listed twice");
                    else
                        locations.Add(location);
                }
            }
        }
        else if (listNode is not null and not YamlSequenceNode)
        {
            context.Error(resources.PathOf(listKey), listNode, $"expected a list of locations, got {YamlScalars.Describe(listNode)}");
        }
        else if (!baseFields.IsEmpty && !context.HasErrorsUnder(Path) && locationReader.Resolve(baseFields, Path) is { } single)
        {
            locations.Add(single);
        }
        return (new ReadOnlyCollection<CloudLocation>(locations), ordered, spotByLocation);
    }

    /// <summary>SkyServe: "Resources must either all use spot or none use spot".</summary>
    private void CheckAllSpotOrNone(MappingReader resources, List<(string Path, bool UseSpot)> spotByLocation, bool topLevelSpot)
    {
        if (spotByLocation.Count == 0 || spotByLocation.TrueForAll(entry => entry.UseSpot == spotByLocation[0].UseSpot))
            return;
        var odd = spotByLocation.Find(entry => entry.UseSpot != topLevelSpot);
        context.Error(odd.Path ?? resources.Path,
            "resources must either all use spot or none use spot; to combine spot with on-demand replicas set " +
            "dynamic_ondemand_fallback or base_ondemand_fallback_replicas in service.replica_policy");
    }

    /// <summary>GB as an integer, or a string with a G/GB or T/TB unit, as SkyPilot accepts.</summary>
    private int? ReadDiskSize(MappingReader resources)
    {
        var node = resources.Value("disk_size");
        if (node is null)
            return null;
        var path = resources.PathOf("disk_size");
        if (node is YamlScalarNode scalar && YamlScalars.IsPlain(scalar) && YamlScalars.TryInteger(scalar.Value ?? "", out _, out _))
            return resources.Integer("disk_size", minimum: 1);
        var text = node is YamlScalarNode { Value: { } value } ? value.Trim() : null;
        var match = text is null ? null : SpecPatterns.DiskSize().Match(text);
        if (match is { Success: true }
            && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            && size >= 1)
        {
            var terabytes = match.Groups[2].Value.StartsWith('T') || match.Groups[2].Value.StartsWith('t');
            if (!terabytes)
                return size;
            if (size <= int.MaxValue / 1024)
                return size * 1024;
        }
        context.Error(path, node, $"expected a disk size in GB such as 256 or 1TB, got {YamlScalars.Describe(node)}");
        return null;
    }

    /// <summary>cpus/memory: a number, or a string of one with an optional trailing + meaning "at least".</summary>
    private string? ReadQuantity(MappingReader resources, string key, System.Text.RegularExpressions.Regex pattern, string expected)
    {
        var node = resources.Value(key);
        if (node is null)
            return null;
        var text = node is YamlScalarNode { Value: { } value } ? value.Trim() : null;
        if (text is not null && pattern.IsMatch(text))
            return text;
        context.Error(resources.PathOf(key), node, $"expected {expected}, got {YamlScalars.Describe(node)}");
        return null;
    }
}
