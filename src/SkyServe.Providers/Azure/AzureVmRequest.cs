using SkyServe.Contracts.Agent;
using System.Text;
using Azure.Core;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using SkyServe.Providers.Boot;

namespace SkyServe.Providers.Azure;

/// <summary>
/// Builds the VM of one launch. The NIC is not made beforehand through the Network RP: the VM carries a
/// <c>networkInterfaceConfigurations</c> entry (networkApiVersion 2020-11-01), so the Compute RP creates the NIC in the
/// configured subnet with the VM and deletes it with the VM (deleteOption Delete), as it does the OS disk. One PUT
/// makes everything; one DELETE, or a spot eviction (evictionPolicy Delete), removes everything.
/// </summary>
internal static class AzureVmRequest
{
    public static VirtualMachineData Build(AzureProviderOptions options, LaunchRequest request, string name, string machineId)
    {
        var key = request.Offering;
        if (!options.Subnets.TryGetValue(key.Region, out var subnet))
            throw new CloudProviderException(CloudErrorKind.InvalidRequest,
                $"no subnet is configured for Azure region {key.Region} (configured: {string.Join(", ", options.Subnets.Keys)})");
        var script = AgentBootScript.Render(options.Agent, machineId, request.Agent, MetadataFormats.Azure, "http://169.254.169.254");
        var data = new VirtualMachineData(new AzureLocation(key.Region))
        {
            HardwareProfile = new VirtualMachineHardwareProfile { VmSize = new VirtualMachineSizeType(key.InstanceType) },
            StorageProfile = new VirtualMachineStorageProfile
            {
                ImageReference = Image(LaunchImage.ForVm(request, "Azure") ?? options.Image),
                OSDisk = new VirtualMachineOSDisk(DiskCreateOptionType.FromImage)
                {
                    DiskSizeGB = request.Machine.DiskSizeGb,
                    DeleteOption = DiskDeleteOptionType.Delete,
                    ManagedDisk = new VirtualMachineManagedDisk { StorageAccountType = new StorageAccountType(DiskType(request.Machine.DiskTier, options.OsDiskType)) },
                },
            },
            OSProfile = new VirtualMachineOSProfile
            {
                ComputerName = name,
                AdminUsername = options.AdminUsername,
                // cloud-init runs a custom-data payload that starts with #! as a script at first boot.
                CustomData = Convert.ToBase64String(Encoding.UTF8.GetBytes(script)),
                LinuxConfiguration = new LinuxConfiguration
                {
                    IsPasswordAuthenticationDisabled = true,
                    SshPublicKeys = { new SshPublicKeyConfiguration { Path = $"/home/{options.AdminUsername}/.ssh/authorized_keys", KeyData = options.SshPublicKey } },
                },
            },
            NetworkProfile = new VirtualMachineNetworkProfile
            {
                NetworkApiVersion = NetworkApiVersion.TwoThousandTwenty1101,
                NetworkInterfaceConfigurations =
                {
                    new VirtualMachineNetworkInterfaceConfiguration($"{name}-nic")
                    {
                        Primary = true,
                        DeleteOption = ComputeDeleteOption.Delete,
                        IPConfigurations =
                        {
                            new VirtualMachineNetworkInterfaceIPConfiguration($"{name}-ipconfig")
                            {
                                Primary = true,
                                SubnetId = new ResourceIdentifier(subnet),
                            },
                        },
                    },
                },
            },
            Priority = key.Spot ? VirtualMachinePriorityType.Spot : VirtualMachinePriorityType.Regular,
        };
        if (key.Spot)
        {
            // Evicted VMs are deleted (nothing left to pay for); -1: pay up to the on-demand price, never evicted for price.
            data.EvictionPolicy = VirtualMachineEvictionPolicyType.Delete;
            data.BillingMaxPrice = -1; // billingProfile.maxPrice
        }
        if (AzureNames.Zone(key.Region, key.Zone) is { } zone)
            data.Zones.Add(zone);
        foreach (var (tag, value) in Tags(request))
            data.Tags[tag] = value;
        data.Tags[AzureNames.ClientTokenTag] = request.ClientToken;
        return data;
    }

    /// <summary>The machine's tags and the spec's labels, which Azure keeps as tags too.</summary>
    public static Dictionary<string, string> Tags(LaunchRequest request)
    {
        var tags = new Dictionary<string, string>(request.Tags, StringComparer.Ordinal);
        foreach (var (label, value) in LaunchLabels.Of(request))
            tags[label] = value;
        return tags;
    }

    /// <summary>
    /// The OS disk's storage type, as SkyPilot maps <c>disk_tier</c> on Azure: low Standard_LRS (HDD), medium, high and
    /// best Premium_LRS (premium SSD, which the VM size must support: the sizes with an 's'); ultra has no OS-disk type.
    /// Without a tier: the configured type.
    /// </summary>
    public static string DiskType(string? tier, string configuredType) => tier switch
    {
        null => configuredType,
        "low" => "Standard_LRS",
        "medium" or "high" or "best" => "Premium_LRS",
        "ultra" => throw new CloudProviderException(CloudErrorKind.InvalidRequest,
            "disk_tier ultra is not available on Azure: Ultra and Premium SSD v2 disks cannot be OS disks (as in SkyPilot)"),
        _ => throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"disk_tier '{tier}' is not one of low, medium, high, ultra, best"),
    };

    /// <summary>Azure's tag rules: names up to 512 characters without &lt; &gt; % &amp; \ ? /, values up to 256, at most 50 tags.</summary>
    public static void ValidateTags(IReadOnlyDictionary<string, string> tags)
    {
        if (tags.Count > 49)
            throw new CloudProviderException(CloudErrorKind.InvalidRequest, "Azure allows 50 tags per resource; SkyServe needs one of them");
        foreach (var (name, value) in tags)
        {
            if (name.Length is 0 or > 512 || name.IndexOfAny(['<', '>', '%', '&', '\\', '?', '/']) >= 0 || value.Length > 256)
                throw new CloudProviderException(CloudErrorKind.InvalidRequest,
                    $"'{name}' = '{value}' is not a valid Azure tag (names up to 512 characters without <>%&\\?/, values up to 256)");
        }
    }

    private static ImageReference Image(string image)
    {
        if (image.StartsWith('/'))
            return new ImageReference { Id = new ResourceIdentifier(image) };
        var parts = image.Split(':');
        if (parts.Length != 4)
            throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"the Azure image must be publisher:offer:sku:version or a resource id, not '{image}'");
        return new ImageReference { Publisher = parts[0], Offer = parts[1], Sku = parts[2], Version = parts[3] };
    }
}
