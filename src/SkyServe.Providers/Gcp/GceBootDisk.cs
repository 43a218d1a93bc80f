using SkyServe.Core.Spec;

namespace SkyServe.Providers.Gcp;

/// <summary>
/// The boot disk type of a launch, as SkyPilot maps <c>disk_tier</c> on GCP: low pd-standard, medium pd-balanced,
/// high pd-ssd, ultra and best pd-extreme (20000 provisioned IOPS), with the machine series' exceptions: N1, A2 and G2
/// (and N2 under 64 vCPUs) take no pd-extreme, so pd-ssd; A3 and G2 take no pd-standard, so pd-balanced; A3's ultra is
/// hyperdisk-balanced. Without a tier: the configured type.
/// </summary>
internal static class GceBootDisk
{
    /// <summary>SkyPilot's provisioned IOPS for pd-extreme.</summary>
    public const int ExtremeIops = 20000;

    public static (string Type, int? ProvisionedIops) For(MachineSettings machine, string instanceType, double? vcpus, string configuredType)
    {
        var series = instanceType.Split('-')[0].ToLowerInvariant();
        switch (machine.DiskTier)
        {
            case null:
                return (configuredType, null);
            case "low":
                return (series is "a3" or "g2" ? "pd-balanced" : "pd-standard", null);
            case "medium":
                return ("pd-balanced", null);
            case "high":
                return ("pd-ssd", null);
            case "ultra" or "best":
                if (series is "n1" or "a2" or "g2" || series == "n2" && vcpus is < 64)
                    return ("pd-ssd", null);
                if (series == "a3")
                    return ("hyperdisk-balanced", null);
                return ("pd-extreme", ExtremeIops);
            default:
                throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"disk_tier '{machine.DiskTier}' is not one of low, medium, high, ultra, best");
        }
    }
}
