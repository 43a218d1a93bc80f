namespace SkyServe.Core.Spec;

/// <summary>
/// The spec's machine keys one launch carries to the cloud: the boot disk's size and tier, the image, and the labels
/// (tags) the machine gets besides SkyServe's own. Taken from the any_of/ordered entry the replica was placed by, the
/// labels from the resources' top level (entries have none).
/// </summary>
public sealed record MachineSettings
{
    /// <summary>What a launch without a spec gets: SkyPilot's 256 GB disk, the cloud's default tier and image, no labels.</summary>
    public static MachineSettings Default { get; } = new();

    public int DiskSizeGb { get; init; } = SpecDefaults.DiskSizeGb;

    /// <summary><c>low</c>, <c>medium</c>, <c>high</c>, <c>ultra</c> or <c>best</c>; null: the provider's configured disk type.</summary>
    public string? DiskTier { get; init; }

    /// <summary>The image in the cloud's own form (an AMI id, a GCE image path, an Azure image); null: the configured one.</summary>
    public string? ImageId { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = EmptyMaps.Strings;

    /// <summary>Nothing asked beyond SkyPilot's defaults.</summary>
    public bool IsDefault => DiskSizeGb == SpecDefaults.DiskSizeGb && DiskTier is null && ImageId is null && Labels.Count == 0;

    /// <summary>An entry's disk and image with the spec's labels.</summary>
    public static MachineSettings Of(ResourcesSpec entry, IReadOnlyDictionary<string, string> labels) => new()
    {
        DiskSizeGb = entry.DiskSizeGb,
        DiskTier = entry.DiskTier,
        ImageId = entry.ImageId,
        Labels = labels,
    };
}
