using System.Collections.ObjectModel;
using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// Reads the <c>resources:</c> section: machine shape, spot or on-demand, and candidate resources from
/// <c>any_of</c>/<c>ordered</c> entries laid over the top-level keys, as SkyPilot overrides its base resources with
/// each entry. Checks that replicas are all spot or all on-demand, as SkyServe requires.
/// </summary>
internal sealed class ResourcesReader(SpecReadContext context, ResourceOverrides? overrides = null)
{
    private const string Path = "resources";

    private static readonly Dictionary<string, string> UnsupportedKeys = new()
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
        ["priority_class"] = "Kubernetes priority classes are not supported: there is no Kubernetes provider",
        ["hooks"] = "lifecycle hooks on stop or preemption are not supported; the service replaces preempted replicas itself",
    };

    /// <summary>The keys one machine may vary by, at the top level and in each any_of/ordered entry.</summary>
    private static readonly string[] MachineKeys =
        ["infra", "cloud", "region", "zone", "accelerators", "use_spot", "disk_size", "disk_tier", "instance_type", "cpus", "memory", "image_id"];

    public static readonly SpecKeys Keys = new([.. MachineKeys, "any_of", "ordered", "ports", "labels"], UnsupportedKeys);

    public static readonly SpecKeys LocationItemKeys = new(
        MachineKeys,
        new Dictionary<string, string>(UnsupportedKeys)
        {
            ["ports"] = "every replica serves on the same port: set ports at the resources' top level",
            ["labels"] = "labels apply to every replica: set them at the resources' top level",
            ["any_of"] = "any_of entries do not nest",
            ["ordered"] = "ordered entries do not nest",
        });

    private static readonly string[] DiskTiers = ["low", "medium", "high", "ultra", "best"];

    public ResourcesSpec Read(MappingReader top)
    {
        var given = overrides ?? ResourceOverrides.None;
        var resources = top.Mapping("resources", Keys);
        if (resources is null && (given.IsEmpty || top.Contains("resources") && top.Value("resources") is not null))
            return ResourcesSpec.Default;
        // Overrides without a resources section apply to the defaults, as to an empty section.
        resources ??= new MappingReader(context, new YamlMappingNode(), Path, Keys);

        var locationReader = new LocationReader(context);
        var (overrideFields, overrideLocation) = ReadOverrides(given, locationReader);
        var baseFields = ReadFields(resources);
        var baseLocation = locationReader.Read(resources);
        var ports = new PortsReader(context).Read(resources.Value("ports"), resources.PathOf("ports"));
        var labels = new StringMapReader(context).Read(
            resources.Value("labels"), resources.PathOf("labels"), SpecPatterns.LabelName(), "label keys are letters, digits and - _ . / :");

        var (entries, ordered) = ReadEntries(resources, baseFields, baseLocation, locationReader, overrideFields, overrideLocation);
        if (entries.Count == 0)
        {
            var merged = overrideLocation.Over(baseLocation);
            var location = context.HasErrorsUnder(Path) || HasOverrideErrors() ? null : locationReader.Resolve(merged, Path);
            return CheckLabels(resources, overrideFields.Over(baseFields).ToSpec(location) with { Ports = ports, Labels = labels });
        }

        CheckAcceleratorsWithEntries(resources, baseFields, ordered);
        CheckAllSpotOrNone(resources, entries, baseFields.UseSpot ?? false);
        var specs = entries.Select(entry => entry.Spec).ToList();
        baseFields = overrideFields.Over(baseFields);
        var union = specs.SelectMany(spec => spec.Accelerators).Distinct().ToList();
        var sameAccelerators = specs.TrueForAll(spec => spec.Accelerators.SequenceEqual(specs[0].Accelerators));
        return CheckLabels(resources, baseFields.ToSpec(null) with
        {
            Accelerators = union,
            AcceleratorsOrdered = sameAccelerators && specs[0].AcceleratorsOrdered,
            UseSpot = specs[0].UseSpot,
            Locations = [.. specs.SelectMany(spec => spec.Locations).Distinct()],
            LocationsOrdered = ordered,
            Entries = new ReadOnlyCollection<ResourcesSpec>(specs),
            Ports = ports,
            Labels = labels,
        });
    }

    /// <summary>
    /// Labels that no cloud would take as the machine's: SkyServe's reserved tag names, and where GCP is a candidate,
    /// what GCP refuses (a GCP replica would otherwise fail at launch).
    /// </summary>
    private ResourcesSpec CheckLabels(MappingReader resources, ResourcesSpec spec)
    {
        var onGcp = spec.Locations.Any(location => location.Cloud == SupportedClouds.Gcp);
        foreach (var (key, value) in spec.Labels)
        {
            if ((MachineLabels.Problem(key) ?? (onGcp ? MachineLabels.GcpProblem(key, value) : null)) is { } problem)
                context.Error(SpecPath.Child(resources.PathOf("labels"), key), problem);
        }
        return spec;
    }

    private ResourceFields ReadFields(MappingReader mapping)
    {
        var acceleratorsNode = mapping.Value("accelerators");
        var (accelerators, acceleratorsOrdered) = new AcceleratorsReader(context).Read(acceleratorsNode, mapping.PathOf("accelerators"));
        return new ResourceFields(
            acceleratorsNode is null ? null : accelerators,
            acceleratorsOrdered,
            mapping.Boolean("use_spot"),
            ReadDiskSize(mapping),
            mapping.OneOf("disk_tier", DiskTiers),
            mapping.Text("instance_type"),
            ReadQuantity(mapping, "cpus", SpecPatterns.CpuCount(), "a CPU count such as 8 or 8+"),
            ReadQuantity(mapping, "memory", SpecPatterns.MemorySize(), "a memory size in GB such as 32 or 32+"),
            mapping.Text("image_id"));
    }

    /// <summary>Where errors in command-line overrides are reported: under the flag's name.</summary>
    private bool HasOverrideErrors() => context.Errors.Any(error => error.Path.StartsWith("--", StringComparison.Ordinal));

    private (ResourceFields Fields, LocationFields Location) ReadOverrides(ResourceOverrides given, LocationReader locationReader)
    {
        IReadOnlyList<AcceleratorCandidate>? accelerators = null;
        var acceleratorsOrdered = false;
        if (given.Accelerators is { } text)
        {
            var node = SpecDocumentLoader.LoadValue(text, context, "--gpus");
            (accelerators, acceleratorsOrdered) = new AcceleratorsReader(context).Read(node, "--gpus");
        }
        var fields = new ResourceFields(accelerators, acceleratorsOrdered, given.UseSpot, null, null, null, null, null, null);
        return (fields, locationReader.ReadOverrides(given));
    }

    private (List<(string Path, ResourcesSpec Spec)> Entries, bool Ordered) ReadEntries(
        MappingReader resources, ResourceFields baseFields, LocationFields baseLocation, LocationReader locationReader,
        ResourceFields overrideFields, LocationFields overrideLocation)
    {
        var entries = new List<(string Path, ResourcesSpec Spec)>();
        if (resources.Contains("any_of") && resources.Contains("ordered"))
            context.Error(resources.PathOf("ordered"), resources.KeyNode("ordered")!, "any_of and ordered cannot both be set");
        var ordered = resources.Value("any_of") is null && resources.Value("ordered") is not null;
        var listKey = ordered ? "ordered" : "any_of";
        var listNode = resources.Value(listKey);
        if (listNode is not null and not YamlSequenceNode)
        {
            context.Error(resources.PathOf(listKey), listNode, $"expected a list of resources such as [{{infra: aws}}, {{infra: gcp, accelerators: L4:1}}], got {YamlScalars.Describe(listNode)}");
            return (entries, ordered);
        }
        if (listNode is not YamlSequenceNode items)
            return (entries, ordered);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < items.Children.Count; index++)
        {
            var itemPath = SpecPath.Item(resources.PathOf(listKey), index);
            if (items.Children[index] is not YamlMappingNode itemNode)
            {
                context.Error(itemPath, items.Children[index], $"expected a mapping such as {{infra: aws/us-east-1}}, got {YamlScalars.Describe(items.Children[index])}");
                continue;
            }
            var item = new MappingReader(context, itemNode, itemPath, LocationItemKeys);
            var own = ReadFields(item);
            if (own.Accelerators is { } entryAccelerators && (own.AcceleratorsOrdered || entryAccelerators.Count > 1))
                context.Error(item.PathOf("accelerators"),
                    "an any_of/ordered entry takes one accelerator, as in SkyPilot's schema: give each its own entry, or a set such as {L4:1, A10G:1} at the resources' top level");
            var fields = overrideFields.Over(own.Over(baseFields));
            var locationFields = overrideLocation.Over(locationReader.Read(item).Over(baseLocation));
            if (context.HasErrorsUnder(itemPath) || context.HasErrorsUnder(Path + ".infra") || context.HasErrorsUnder(Path + ".cloud") || HasOverrideErrors())
                continue;
            var location = locationReader.Resolve(locationFields, itemPath);
            if (location is null && !locationFields.IsEmpty)
                continue;
            var spec = fields.ToSpec(location);
            if (!seen.Add(EffectiveSpecJson.ResourcesEntryKey(spec)))
            {
                // An override may make entries alike (--infra aws over aws and gcp entries): one is kept, as SkyPilot's set does.
                if (!(overrides ?? ResourceOverrides.None).IsEmpty)
                    continue;
                context.Error(itemPath, itemNode, location is null ? "this entry is listed twice" : $"location {location} is listed twice");
                continue;
            }
            entries.Add((item.PathOf("use_spot"), spec));
        }
        return (entries, ordered);
    }

    /// <summary>
    /// SkyPilot's rules: several top-level accelerators cannot be combined with <c>ordered</c>, and a preference list
    /// of them not with <c>any_of</c>; a set of them with <c>any_of</c> multiplies the candidates.
    /// </summary>
    private void CheckAcceleratorsWithEntries(MappingReader resources, ResourceFields baseFields, bool ordered)
    {
        if (baseFields.Accelerators is not { Count: > 1 })
            return;
        if (ordered)
            context.Error(resources.PathOf("accelerators"),
                "several accelerators cannot be combined with ordered: give each ordered entry its own accelerators");
        else if (baseFields.AcceleratorsOrdered)
            context.Error(resources.PathOf("accelerators"),
                "a preference list of accelerators cannot be combined with any_of: use a set such as {L4:1, A10G:1}, or give each entry its own accelerators");
    }

    /// <summary>SkyServe: "Resources must either all use spot or none use spot".</summary>
    private void CheckAllSpotOrNone(MappingReader resources, List<(string Path, ResourcesSpec Spec)> entries, bool topLevelSpot)
    {
        if (entries.TrueForAll(entry => entry.Spec.UseSpot == entries[0].Spec.UseSpot))
            return;
        var odd = entries.Find(entry => entry.Spec.UseSpot != topLevelSpot);
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
