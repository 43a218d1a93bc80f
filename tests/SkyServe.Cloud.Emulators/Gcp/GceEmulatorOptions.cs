namespace SkyServe.Cloud.Emulators.Gcp;

/// <summary>What the GCE emulator knows: one project, its zones and machine types, and how quickly things happen.</summary>
public sealed record GceEmulatorOptions
{
    public string Project { get; init; } = "skyserve-test";

    /// <summary>Zones that exist (the aggregated lists name every one of them).</summary>
    public IReadOnlyList<string> Zones { get; init; } = ["us-central1-a", "us-central1-b", "us-central1-c", "us-east4-a"];

    /// <summary>Machine types that exist in every zone; others are refused as invalid, as GCE refuses them.</summary>
    public IReadOnlySet<string> MachineTypes { get; init; } = new HashSet<string> { "n1-standard-4", "n2-standard-4", "g2-standard-4", "a2-highgpu-1g" };

    /// <summary>
    /// How long each phase takes: an operation is PENDING one step and RUNNING one more; a new VM is PROVISIONING while its
    /// insert operation runs, STAGING two steps more, then RUNNING.
    /// </summary>
    public TimeSpan Step { get; init; } = TimeSpan.FromMilliseconds(40);

    /// <summary>The first two octets of internal IPs (PREFIX.x.y); "127.128" puts each VM on its own loopback address.</summary>
    public string AddressPrefix { get; init; } = "10.128";

    /// <summary>Between a preemption and the VM's stop (GCE: 30 s).</summary>
    public TimeSpan PreemptionNotice { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The most maxResults a list page may have (GCE: 500).</summary>
    public int MaxPageSize { get; init; } = 500;

    /// <summary>The IAM permissions the callers hold; null: all of them.</summary>
    public IReadOnlySet<string>? Permissions { get; init; }
}
