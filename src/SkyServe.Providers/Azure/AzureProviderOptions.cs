using SkyServe.Providers.Boot;

namespace SkyServe.Providers.Azure;

/// <summary>Settings of the Azure provider: where VMs go, what they boot, and how long a launch waits for its allocation.</summary>
public sealed record AzureProviderOptions
{
    public required string SubscriptionId { get; init; }

    /// <summary>The resource group the VMs (and their NICs and disks) are created in; it must exist.</summary>
    public required string ResourceGroup { get; init; }

    /// <summary>
    /// The subnet each VM's NIC joins, per region (a VNet is regional), as resource ids:
    /// <c>/subscriptions/.../resourceGroups/net/providers/Microsoft.Network/virtualNetworks/serving/subnets/replicas</c>.
    /// Only these regions are offered.
    /// </summary>
    public required IReadOnlyDictionary<string, string> Subnets { get; init; }

    /// <summary>A marketplace image URN <c>publisher:offer:sku:version</c> (e.g. an Ubuntu HPC image with GPU drivers) or an image resource id.</summary>
    public required string Image { get; init; }

    public string AdminUsername { get; init; } = "skyserve";

    /// <summary>The OpenSSH public key of the admin user (password log-in is disabled).</summary>
    public required string SshPublicKey { get; init; }

    /// <summary>Managed disk type when the spec names no disk_tier: StandardSSD_LRS, Premium_LRS, ... (the size is the spec's disk_size).</summary>
    public string OsDiskType { get; init; } = "StandardSSD_LRS";

    public AgentInstallOptions Agent { get; init; } = new();

    /// <summary>
    /// How long a launch follows the create operation. Allocation failures (no spot capacity) come within seconds; a VM that
    /// is still provisioning after this is returned as Pending and followed through <see cref="AzureCloudProvider.GetAsync"/>.
    /// </summary>
    public TimeSpan LaunchWait { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>Between polls of a long-running operation; a server's Retry-After can make it longer.</summary>
    public TimeSpan OperationPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long an offering refused for capacity stays filtered out.</summary>
    public TimeSpan UnavailableOfferingTtl { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>Network RP api-version used to read a NIC's private IP.</summary>
    public string NetworkApiVersion { get; init; } = "2023-05-01";
}
