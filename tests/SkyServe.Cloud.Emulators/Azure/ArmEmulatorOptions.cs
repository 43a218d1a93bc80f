namespace SkyServe.Cloud.Emulators.Azure;

/// <summary>What the ARM emulator knows: one subscription, its resource groups and subnets, the VM sizes, and its pace.</summary>
public sealed record ArmEmulatorOptions
{
    public string TenantId { get; init; } = "7f0c5c1e-2f7b-4d6e-9a0b-3c7e1d2a4b5c";
    public string SubscriptionId { get; init; } = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";
    public IReadOnlySet<string> ResourceGroups { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "skyserve" };

    /// <summary>Subnet resource ids that exist (a NIC can join only these).</summary>
    public IReadOnlySet<string> Subnets { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>VM sizes offered in every location; others are an InvalidParameter.</summary>
    public IReadOnlySet<string> VmSizes { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Standard_NC4as_T4_v3", "Standard_E8s_v5" };

    /// <summary>How long a create or delete operation runs before it succeeds or fails.</summary>
    public TimeSpan OperationDuration { get; init; } = TimeSpan.FromMilliseconds(60);

    /// <summary>Retry-After (seconds) on long-running operation responses; null sends none.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>VMs per page of a list; further pages through nextLink.</summary>
    public int PageSize { get; init; } = 100;

    /// <summary>The first two octets of NICs' private IPs (PREFIX.x.y); "127.200" puts each VM on its own loopback address.</summary>
    public string AddressPrefix { get; init; } = "10.0";

    /// <summary>Between an eviction's Scheduled Event and the VM's removal (Azure: at least 30 s).</summary>
    public TimeSpan EvictionNotice { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The actions (RBAC, wildcards allowed) the callers' role grants; null: all of them.</summary>
    public IReadOnlyList<string>? Actions { get; init; }
}
