using Azure.Identity;
using Azure.ResourceManager;
using SkyServe.Core.Catalog;
using SkyServe.Providers;
using SkyServe.Providers.Aws;
using SkyServe.Providers.Azure;
using SkyServe.Providers.Boot;
using SkyServe.Providers.Docker;
using SkyServe.Providers.Gcp;
using SkyServe.Providers.MultiCloud;

namespace SkyServe.Controller.Hosting;

/// <summary>
/// The real clouds the configuration names: each of the sections <c>SkyServe:Clouds:Aws</c>, <c>:Gcp</c>, <c>:Azure</c> and
/// <c>:Docker</c> that is present builds that cloud's provider, and together they are one <see cref="CloudProviderSet"/>
/// (members aws, gcp, azure, docker). With none present there is nothing to build and the controller runs on the local runtime.
/// A section that does not make a usable provider fails the start with what is wrong in it.
/// </summary>
public static class CloudSetup
{
    public const string Section = "SkyServe:Clouds";
    public const string AwsSection = Section + ":Aws";
    public const string GcpSection = Section + ":Gcp";
    public const string AzureSection = Section + ":Azure";
    public const string DockerSection = Section + ":Docker";

    /// <summary>The providers of the configured clouds as one set, or null when no cloud is configured.</summary>
    /// <param name="servesAgentPackage">
    /// Whether this controller has a ReplicaAgent archive to serve its machines (<see cref="AgentPackages"/>): without one,
    /// each cloud needs its own package URL.
    /// </param>
    public static async Task<CloudProviderSet?> StartAsync(IConfiguration configuration, ControllerOptions options, ILoggerFactory logs,
        bool servesAgentPackage = false, CancellationToken ct = default)
    {
        var aws = configuration.GetSection(AwsSection);
        var gcp = configuration.GetSection(GcpSection);
        var azure = configuration.GetSection(AzureSection);
        var docker = configuration.GetSection(DockerSection);
        if (!aws.Exists() && !gcp.Exists() && !azure.Exists() && !docker.Exists())
            return null;

        var catalog = CatalogLoader.LoadDirectory(Path.Combine(ConfigLocator.Find(options.ConfigDirectory), "catalog")).Clouds;
        var members = new Dictionary<string, ICloudProvider>(StringComparer.Ordinal);
        try
        {
            if (aws.Exists())
                members["aws"] = Build(AwsSection, () => Aws(configuration, catalog, servesAgentPackage, logs.CreateLogger("SkyServe.Aws")));
            if (gcp.Exists())
                members["gcp"] = await BuildAsync(GcpSection, () => GcpCloudProvider.CreateAsync(Gcp(gcp, servesAgentPackage), catalog,
                    log: logs.CreateLogger("SkyServe.Gcp"), ct: ct));
            if (azure.Exists())
                members["azure"] = Build(AzureSection, () => Azure(azure, catalog, servesAgentPackage, logs.CreateLogger("SkyServe.Azure")));
            if (docker.Exists())
                members["docker"] = await BuildAsync(DockerSection, () => Docker(docker, options, logs.CreateLogger("SkyServe.Docker"), ct));
        }
        catch
        {
            foreach (var member in members.Values)
                await DisposeAsync(member);
            throw;
        }
        logs.CreateLogger("SkyServe.Clouds").CloudsConfigured(string.Join(", ", members.Keys));
        return new CloudProviderSet(members);
    }

    private static AwsCloudProvider Aws(IConfiguration configuration, CloudCatalog catalog, bool servesAgentPackage, ILogger log)
    {
        var options = AwsProviderOptions.FromConfiguration(configuration);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.AgentInstallUrl) && !servesAgentPackage)
            problems.Add(NoAgentPackage("AgentInstallUrl"));
        Throw(AwsSection, problems); // the URL's form and the rest: AwsProviderOptions.Problems, through Create
        return AwsCloudProvider.Create(options, catalog, log: log);
    }

    private static GcpProviderOptions Gcp(IConfigurationSection section, bool servesAgentPackage)
    {
        var options = Bind<GcpProviderOptions>(section);
        var problems = new List<string>();
        Require(problems, options.Project, "Project");
        Require(problems, options.Image, "Image");
        AgentSource(problems, options.Agent, servesAgentPackage);
        if (options.ComputeEndpoint is null || !options.ComputeEndpoint.IsAbsoluteUri)
            problems.Add("ComputeEndpoint must be an absolute URL");
        Throw(GcpSection, problems);
        return options;
    }

    /// <summary>The Docker hosts' provider; spot capacity traces are relative to the config folder.</summary>
    private static Task<DockerCloudProvider> Docker(IConfigurationSection section, ControllerOptions controller, ILogger log, CancellationToken ct)
    {
        var options = Bind<DockerProviderOptions>(section);
        Throw(DockerSection, DockerProviderOptionsValidator.Problems(options).ToList());
        IReadOnlyDictionary<string, SkyServe.Providers.Local.ISpotCapacity> spot;
        try
        {
            spot = DockerSpotCapacities.FromOptions(options, ConfigLocator.Find(controller.ConfigDirectory));
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException)
        {
            throw new CloudSettingsException($"cloud settings {DockerSection}: Spot: {e.Message}", e);
        }
        return DockerCloudProvider.StartAsync(options, spot, log: log, ct: ct);
    }

    private static AzureCloudProvider Azure(IConfigurationSection section, CloudCatalog catalog, bool servesAgentPackage, ILogger log)
    {
        var options = Bind<AzureProviderOptions>(section);
        var environment = Bind<AzureEnvironmentSettings>(section);
        var problems = new List<string>();
        Require(problems, options.SubscriptionId, "SubscriptionId");
        Require(problems, options.ResourceGroup, "ResourceGroup");
        Require(problems, options.Image, "Image");
        Require(problems, options.SshPublicKey, "SshPublicKey");
        AgentSource(problems, options.Agent, servesAgentPackage);
        if (options.Subnets is null || options.Subnets.Count == 0)
            problems.Add("no subnets: set Subnets:<region> to a subnet resource id for each region to serve");
        if (environment.ResourceManagerEndpoint is { IsAbsoluteUri: false })
            problems.Add("ResourceManagerEndpoint must be an absolute URL");
        if (environment.AuthorityHost is { IsAbsoluteUri: false })
            problems.Add("AuthorityHost must be an absolute URL");
        Throw(AzureSection, problems);

        var clientOptions = new ArmClientOptions();
        if (environment.ResourceManagerEndpoint is { } endpoint)
            // The scope asked for is "{audience}/.default": without a trailing slash, as Entra ID documents it.
            clientOptions.Environment = new ArmEnvironment(endpoint, (environment.Audience ?? "https://management.azure.com").TrimEnd('/'));
        var authority = environment.AuthorityHost ?? AzureAuthorityHosts.AzurePublicCloud;
        var credential = new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            AuthorityHost = authority,
            // MSAL validates an authority through login.microsoftonline.com, which knows only Microsoft's own clouds:
            // another authority (Azure Stack, an emulator) would wait on that call, then be refused.
            DisableInstanceDiscovery = !KnownAuthorities.Contains(authority),
        });
        return AzureCloudProvider.Create(options, catalog, credential, clientOptions, log: log);
    }

    private static readonly HashSet<Uri> KnownAuthorities =
        [AzureAuthorityHosts.AzurePublicCloud, AzureAuthorityHosts.AzureChina, AzureAuthorityHosts.AzureGovernment];

    /// <summary>Where ARM and Entra ID are: the public cloud unless set (sovereign clouds, Azure Stack, emulators).</summary>
    private sealed record AzureEnvironmentSettings
    {
        /// <summary>e.g. https://management.chinacloudapi.cn/</summary>
        public Uri? ResourceManagerEndpoint { get; init; }

        /// <summary>The token audience of that ARM; default https://management.azure.com/.</summary>
        public string? Audience { get; init; }

        /// <summary>e.g. https://login.chinacloudapi.cn/</summary>
        public Uri? AuthorityHost { get; init; }
    }

    private static T Bind<T>(IConfigurationSection section) where T : class
    {
        T? bound;
        try
        {
            bound = section.Get<T>();
        }
        catch (InvalidOperationException e)
        {
            throw new CloudSettingsException($"cloud settings {section.Path}: {e.Message}", e);
        }
        return bound ?? throw new CloudSettingsException($"cloud settings {section.Path}: the section is empty");
    }

    private static void Require(List<string> problems, string? value, string key)
    {
        if (string.IsNullOrWhiteSpace(value))
            problems.Add($"{key} is required");
    }

    /// <summary>
    /// Where the machines get the agent: the section's own URL (with an optional digest), else this controller's
    /// <c>GET /api/v1/agent/package</c>, which needs an archive to serve.
    /// </summary>
    private static void AgentSource(List<string> problems, AgentInstallOptions? agent, bool servesAgentPackage)
    {
        if (agent?.PackageUrl is { Length: > 0 } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out _))
                problems.Add("Agent:PackageUrl must be the absolute URL of the ReplicaAgent archive");
        }
        else if (!servesAgentPackage)
            problems.Add(NoAgentPackage("Agent:PackageUrl"));
        if (agent?.PackageSha256 is { Length: > 0 } sha256 && !AgentPackage.IsSha256(sha256))
            problems.Add("Agent:PackageSha256 must be a SHA-256 digest of 64 hex digits");
    }

    private static string NoAgentPackage(string urlKey) =>
        $"{urlKey} is not set and this controller has no ReplicaAgent archive to serve its machines " +
        $"(run `./skyserve package`, set {ControllerOptionsValidator.Section}:Agent:PackagePath, or set {urlKey})";

    private static void Throw(string section, List<string> problems)
    {
        if (problems.Count > 0)
            throw new CloudSettingsException($"cloud settings {section}: {string.Join("; ", problems)}");
    }

    private static ICloudProvider Build(string section, Func<ICloudProvider> create)
    {
        try
        {
            return create();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException
            && !e.Message.StartsWith("cloud settings", StringComparison.Ordinal))
        {
            throw new CloudSettingsException($"cloud settings {section}: {e.Message}", e);
        }
    }

    private static async Task<ICloudProvider> BuildAsync<T>(string section, Func<Task<T>> create) where T : ICloudProvider
    {
        try
        {
            return await create();
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or InvalidOperationException
            && !e.Message.StartsWith("cloud settings", StringComparison.Ordinal))
        {
            throw new CloudSettingsException($"cloud settings {section}: {e.Message}", e);
        }
    }

    private static async ValueTask DisposeAsync(ICloudProvider provider)
    {
        if (provider is IAsyncDisposable asyncDisposable)
            await asyncDisposable.DisposeAsync();
        else if (provider is IDisposable disposable)
            disposable.Dispose();
    }
}

/// <summary>A cloud section of the settings that cannot be used: reported as one line naming it, exit code 2.</summary>
public sealed class CloudSettingsException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
