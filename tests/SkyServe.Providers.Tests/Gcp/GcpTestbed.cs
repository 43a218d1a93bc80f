using SkyServe.Cloud.Emulators.Gcp;
using SkyServe.Core.Catalog;
using SkyServe.Providers.Boot;
using SkyServe.Providers.Gcp;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests.Gcp;

/// <summary>A GCE emulator and a GCP provider that talks to it with a service-account key file, as in production.</summary>
public sealed class GcpTestbed : IAsyncDisposable
{
    public static readonly CloudCatalog Catalog = CatalogLoader.LoadDirectory(Path.Combine(RepoPaths.Config, "catalog")).Clouds;
    public const string Zone = "us-central1-a";
    public const string DryZone = "us-central1-b";

    private readonly TempDirectory directory = new();

    private GcpTestbed(GceEmulator gce, string keyFile)
    {
        Gce = gce;
        KeyFile = keyFile;
    }

    public GceEmulator Gce { get; }

    public string KeyFile { get; }

    public static async Task<GcpTestbed> StartAsync(GceEmulatorOptions? options = null)
    {
        var gce = await GceEmulator.StartAsync(options ?? new GceEmulatorOptions
        {
            Zones = ["us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f", "us-east4-a"],
            MachineTypes = Catalog.InCloud("gcp").Select(o => o.InstanceType).ToHashSet(),
        });
        var testbed = new GcpTestbed(gce, "");
        var keyFile = Path.Combine(testbed.directory.Path, "key.json");
        await File.WriteAllTextAsync(keyFile, gce.CreateServiceAccountKey());
        return new GcpTestbed(gce, keyFile);
    }

    public GcpProviderOptions Options => new()
    {
        Project = Gce.Options.Project,
        Zones = Gce.Options.Zones,
        Image = "projects/deeplearning-platform-release/global/images/family/common-cu124-ubuntu-2204",
        Network = "global/networks/serving",
        Subnetwork = "regions/{region}/subnetworks/serving",
        Agent = new AgentInstallOptions { PackageUrl = "https://storage.googleapis.com/skyserve-releases/replica-agent-linux-x64.tar.gz" },
        CredentialFile = KeyFile,
        ComputeEndpoint = Gce.ComputeEndpoint,
        RetryDelay = TimeSpan.FromMilliseconds(10),
        MaxAttempts = 4,
        NoticePollInterval = TimeSpan.FromMilliseconds(100),
        UnavailableOfferingTtl = TimeSpan.FromMinutes(1),
    };

    public Task<GcpCloudProvider> ProviderAsync(GcpProviderOptions? options = null) =>
        GcpCloudProvider.CreateAsync(options ?? Options, Catalog);

    public static OfferingKey Offering(string zone, string type, bool spot) => new("gcp", zone[..zone.LastIndexOf('-')], zone, type, spot);

    public async ValueTask DisposeAsync()
    {
        await Gce.DisposeAsync();
        directory.Dispose();
    }
}
