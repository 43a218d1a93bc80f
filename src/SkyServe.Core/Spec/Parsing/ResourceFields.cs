namespace SkyServe.Core.Spec.Parsing;

/// <summary>
/// The machine keys of one resources mapping (top level or an <c>any_of</c>/<c>ordered</c> entry) before merging;
/// null means "not given here".
/// </summary>
internal sealed record ResourceFields(
    IReadOnlyList<AcceleratorCandidate>? Accelerators,
    bool AcceleratorsOrdered,
    bool? UseSpot,
    int? DiskSizeGb,
    string? DiskTier,
    string? InstanceType,
    string? Cpus,
    string? Memory,
    string? ImageId)
{
    /// <summary>These fields laid over <paramref name="baseFields"/>, as SkyPilot updates the base config with each entry.</summary>
    public ResourceFields Over(ResourceFields baseFields) => new(
        Accelerators ?? baseFields.Accelerators,
        Accelerators is null ? baseFields.AcceleratorsOrdered : AcceleratorsOrdered,
        UseSpot ?? baseFields.UseSpot,
        DiskSizeGb ?? baseFields.DiskSizeGb,
        DiskTier ?? baseFields.DiskTier,
        InstanceType ?? baseFields.InstanceType,
        Cpus ?? baseFields.Cpus,
        Memory ?? baseFields.Memory,
        ImageId ?? baseFields.ImageId);

    public ResourcesSpec ToSpec(CloudLocation? location) => new()
    {
        Accelerators = Accelerators ?? [],
        AcceleratorsOrdered = AcceleratorsOrdered,
        UseSpot = UseSpot ?? false,
        Locations = location is null ? [] : [location],
        DiskSizeGb = DiskSizeGb ?? SpecDefaults.DiskSizeGb,
        DiskTier = DiskTier,
        InstanceType = InstanceType,
        Cpus = Cpus,
        Memory = Memory,
        ImageId = ImageId,
    };
}
