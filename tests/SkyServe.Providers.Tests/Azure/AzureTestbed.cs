using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Azure.ResourceManager;
using SkyServe.Cloud.Emulators.Azure;
using SkyServe.Core.Catalog;
using SkyServe.Providers.Azure;
using SkyServe.Providers.Boot;
using SkyServe.Testing;

namespace SkyServe.Providers.Tests.Azure;

/// <summary>
/// An ARM emulator and an Azure provider that talks to it as in production: Azure.Identity's client-secret credential gets
/// its token from the emulator's Entra ID endpoint, the SDK's pipeline calls the emulator as the ARM environment over TLS.
/// </summary>
public sealed class AzureTestbed : IAsyncDisposable
{
    public static readonly CloudCatalog Catalog = CatalogLoader.LoadDirectory(Path.Combine(RepoPaths.Config, "catalog")).Clouds;
    public const string Region = "eastus";
    public const string Zone = "eastus-1";
    public const string DryZone = "eastus-2";
    public const string ClientId = "5d2c8f3a-8a5e-4a3b-9f4e-2b7c1d0e9a61";
    public const string ClientSecret = "emulated~secret.value";

    private AzureTestbed(ArmEmulator arm) => Arm = arm;

    public ArmEmulator Arm { get; }

    public string Subnet => $"/subscriptions/{Arm.Options.SubscriptionId}/resourceGroups/skyserve-net/providers/Microsoft.Network/virtualNetworks/serving-eastus/subnets/replicas";

    public static async Task<AzureTestbed> StartAsync(Func<ArmEmulatorOptions, ArmEmulatorOptions>? configure = null)
    {
        var defaults = new ArmEmulatorOptions();
        var options = defaults with
        {
            Subnets = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                $"/subscriptions/{defaults.SubscriptionId}/resourceGroups/skyserve-net/providers/Microsoft.Network/virtualNetworks/serving-eastus/subnets/replicas",
            },
            VmSizes = Catalog.InCloud("azure").Select(o => o.InstanceType).ToHashSet(StringComparer.OrdinalIgnoreCase),
        };
        var arm = await ArmEmulator.StartAsync(configure?.Invoke(options) ?? options);
        arm.RegisterClient(ClientId, ClientSecret);
        return new AzureTestbed(arm);
    }

    public TokenCredential Credential(string secret = ClientSecret) => new ClientSecretCredential(Arm.Options.TenantId, ClientId, secret,
        new ClientSecretCredentialOptions
        {
            AuthorityHost = Arm.Endpoint,
            DisableInstanceDiscovery = true,
            Transport = new HttpClientTransport(Arm.CreateHandler()),
            Retry = { MaxRetries = 1, Delay = TimeSpan.FromMilliseconds(10) },
        });

    public ArmClientOptions ClientOptions()
    {
        var options = new ArmClientOptions
        {
            Environment = new ArmEnvironment(Arm.Endpoint, "https://management.azure.com"),
            Transport = new HttpClientTransport(Arm.CreateHandler()),
        };
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        options.Retry.MaxDelay = TimeSpan.FromMilliseconds(100);
        options.Retry.MaxRetries = 3;
        return options;
    }

    public AzureProviderOptions Options => new()
    {
        SubscriptionId = Arm.Options.SubscriptionId,
        ResourceGroup = "skyserve",
        Subnets = new Dictionary<string, string> { [Region] = Subnet },
        Image = "microsoft-dsvm:ubuntu-hpc:2204:latest",
        SshPublicKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGm3TKm3Fz0Jv6Ql4gGZ0pQ9mX1zT7Jc2bZ8yU5kVw0h skyserve@ops",
        Agent = new AgentInstallOptions { PackageUrl = "https://skyserve.blob.core.windows.net/releases/replica-agent-linux-x64.tar.gz" },
        LaunchWait = TimeSpan.FromSeconds(20),
        OperationPollInterval = TimeSpan.FromMilliseconds(20),
        UnavailableOfferingTtl = TimeSpan.FromMinutes(1),
    };

    public AzureCloudProvider Provider(AzureProviderOptions? options = null, TokenCredential? credential = null) =>
        AzureCloudProvider.Create(options ?? Options, Catalog, credential ?? Credential(), ClientOptions());

    public static OfferingKey Offering(string zone, string size, bool spot) => new("azure", Region, zone, size, spot);

    public ValueTask DisposeAsync() => Arm.DisposeAsync();
}
