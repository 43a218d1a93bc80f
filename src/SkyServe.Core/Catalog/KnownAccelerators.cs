namespace SkyServe.Core.Catalog;

/// <summary>
/// SkyPilot's accelerator names for the GPUs the catalog may hold. Catalog files must spell them exactly,
/// so that one GPU has one name everywhere; requests match them case-insensitively.
/// </summary>
public static class KnownAccelerators
{
    public static readonly IReadOnlyList<string> Names =
    [
        "A10", "A10G", "A100", "A100-80GB", "B200", "H100", "H200", "L4", "L40S", "T4", "V100", "V100-32GB",
    ];

    /// <summary>The canonical spelling of <paramref name="name"/>, or null when it is not a known accelerator.</summary>
    public static string? Canonical(string name) =>
        Names.FirstOrDefault(known => string.Equals(known, name.Trim(), StringComparison.OrdinalIgnoreCase));
}
