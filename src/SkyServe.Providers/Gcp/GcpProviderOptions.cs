using SkyServe.Providers.Boot;

namespace SkyServe.Providers.Gcp;

/// <summary>Settings of the GCP provider: which project and zones, what a machine boots, and how patiently the API is called.</summary>
public sealed record GcpProviderOptions
{
    public required string Project { get; init; }

    /// <summary>Zones to offer and launch in; empty offers every GCP zone of the catalog.</summary>
    public IReadOnlyList<string> Zones { get; init; } = [];

    /// <summary>Boot image, e.g. <c>projects/deeplearning-platform-release/global/images/family/common-cu124-ubuntu-2204</c> (GPU drivers installed).</summary>
    public required string Image { get; init; }

    /// <summary>The VPC network, e.g. <c>global/networks/default</c>.</summary>
    public string Network { get; init; } = "global/networks/default";

    /// <summary>The subnetwork, with <c>{region}</c> replaced by the launch's region, e.g. <c>regions/{region}/subnetworks/serving</c>; null for an auto-mode network's own.</summary>
    public string? Subnetwork { get; init; }

    /// <summary>Give machines an ephemeral public IP (only needed when the controller is outside the VPC and there is no Cloud NAT).</summary>
    public bool ExternalIp { get; init; }

    /// <summary>The boot disk type when the spec names no disk_tier (its size is the spec's disk_size).</summary>
    public string BootDiskType { get; init; } = "pd-balanced";

    /// <summary>The service account the machines run as (for pulling weights from GCS); null: none.</summary>
    public string? MachineServiceAccount { get; init; }

    public AgentInstallOptions Agent { get; init; } = new();

    /// <summary>A service-account key file; null: Application Default Credentials.</summary>
    public string? CredentialFile { get; init; }

    public Uri ComputeEndpoint { get; init; } = new("https://compute.googleapis.com/compute/v1/");

    /// <summary>Longest wait for a zone operation (insert, delete) to finish.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Attempts per API call on 429, 5xx and connection failures.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>First back-off between attempts; it doubles each time, and a server's Retry-After wins.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long an offering refused for capacity stays filtered out.</summary>
    public TimeSpan UnavailableOfferingTtl { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>How often the notice stream looks for new preemption operations.</summary>
    public TimeSpan NoticePollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>A preempted Spot VM gets this long between the preemption and its stop (GCE: 30 s).</summary>
    public TimeSpan PreemptionNotice { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>maxResults of each aggregatedList page.</summary>
    public int PageSize { get; init; } = 500;
}
