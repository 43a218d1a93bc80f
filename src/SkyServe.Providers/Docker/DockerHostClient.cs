using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Docker.DotNet;
using Docker.DotNet.Models;
using Docker.DotNet.X509;

namespace SkyServe.Providers.Docker;

/// <summary>
/// The narrow seam over Docker.DotNet for one host: list, inspect, create, start, stop and remove containers, and the
/// market's marker volume. Docker's errors leave it as <see cref="CloudProviderException"/> (<see cref="DockerErrors"/>)
/// or, for a host that cannot be reached, as the transport's own exception; "no such container" is not an error.
/// </summary>
public sealed class DockerHostClient : IDisposable
{
    private readonly DockerClient client;
    private readonly TimeSpan requestTimeout;

    public DockerHostClient(DockerHostOptions host, TimeSpan requestTimeout)
    {
        Host = host;
        this.requestTimeout = requestTimeout;
        if (!DockerEndpoint.TryParse(host.Endpoint, out var endpoint))
            throw new ArgumentException($"host {host.Zone}: Endpoint must be unix:///path or tcp://host:port (got '{host.Endpoint}')");
        // Docker.DotNet's own timeout covers every call; each call here has its own, longer for a stop's grace.
        Credentials? credentials;
        try
        {
            credentials = Credentials(host);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"host {host.Zone}: the TLS certificate or key cannot be read: {e.Message}", e);
        }
        var configuration = new DockerClientConfiguration(endpoint.Uri, credentials, defaultTimeout: TimeSpan.FromHours(1));
        client = configuration.CreateClient();
    }

    public DockerHostOptions Host { get; }

    /// <summary>Containers (running or not) carrying every one of the labels (<c>key</c> or <c>key=value</c>).</summary>
    public async Task<IReadOnlyList<DockerContainer>> ListAsync(IEnumerable<string> labelFilters, CancellationToken ct)
    {
        using var timeout = Timeout(ct, requestTimeout);
        var filters = new Dictionary<string, IDictionary<string, bool>>
        {
            ["label"] = labelFilters.ToDictionary(f => f, _ => true),
        };
        var listed = await Call(() => client.Containers.ListContainersAsync(new ContainersListParameters { All = true, Filters = filters }, timeout.Token));
        return listed.Select(c => new DockerContainer(c.ID, (c.Names.FirstOrDefault() ?? c.ID).TrimStart('/'),
            (IReadOnlyDictionary<string, string>?)c.Labels?.AsReadOnly() ?? new Dictionary<string, string>(),
            c.State ?? "", c.Status ?? "", WholeSeconds(c.Created))).ToList();
    }

    /// <summary>The container of that name or id, or null.</summary>
    public async Task<DockerContainer?> InspectAsync(string nameOrId, CancellationToken ct)
    {
        using var timeout = Timeout(ct, requestTimeout);
        try
        {
            var c = await Call(() => client.Containers.InspectContainerAsync(nameOrId, timeout.Token));
            return new DockerContainer(c.ID, c.Name.TrimStart('/'),
                (IReadOnlyDictionary<string, string>?)c.Config?.Labels?.AsReadOnly() ?? new Dictionary<string, string>(),
                c.State?.Status ?? "", c.State?.Status ?? "", WholeSeconds(c.Created));
        }
        catch (DockerContainerNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Creates the container; null when one of that name exists already (a launch of the same token got there first).</summary>
    public async Task<string?> CreateAsync(DockerContainerSpec spec, CancellationToken ct)
    {
        using var timeout = Timeout(ct, requestTimeout);
        try
        {
            var created = await Call(() => client.Containers.CreateContainerAsync(ToParameters(spec), timeout.Token));
            return created.ID;
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict)
        {
            return null;
        }
    }

    public async Task StartAsync(string id, CancellationToken ct)
    {
        using var timeout = Timeout(ct, requestTimeout);
        await Call(() => client.Containers.StartContainerAsync(id, new ContainerStartParameters(), timeout.Token));
    }

    /// <summary>SIGTERM, then SIGKILL after <paramref name="grace"/>; a container that is gone or stopped already is fine.</summary>
    public async Task StopAsync(string id, TimeSpan grace, CancellationToken ct)
    {
        using var timeout = Timeout(ct, requestTimeout + grace);
        try
        {
            await Call(() => client.Containers.StopContainerAsync(id,
                new ContainerStopParameters { WaitBeforeKillSeconds = (uint)Math.Ceiling(grace.TotalSeconds) }, timeout.Token));
        }
        catch (DockerContainerNotFoundException)
        {
        }
    }

    /// <summary>Removes the container (killing it first when <paramref name="force"/>); one that is gone, or being removed, is fine.</summary>
    public async Task RemoveAsync(string id, bool force, CancellationToken ct)
    {
        using var timeout = Timeout(ct, requestTimeout);
        try
        {
            await Call(() => client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = force }, timeout.Token));
        }
        catch (DockerContainerNotFoundException)
        {
        }
        catch (DockerApiException e) when (e.StatusCode == System.Net.HttpStatusCode.Conflict && e.ResponseBody.Contains("in progress", StringComparison.OrdinalIgnoreCase))
        {
            // "removal of container ... is already in progress": another caller is removing it.
        }
    }

    /// <summary>
    /// The labels of the named volume, creating it with <paramref name="labels"/> when it does not exist: Docker answers
    /// a create of an existing volume with that volume, so every caller gets the first creator's labels.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> VolumeLabelsAsync(string name, IDictionary<string, string> labels, CancellationToken ct)
    {
        using var timeout = Timeout(ct, requestTimeout);
        var volume = await Call(() => client.Volumes.CreateAsync(new VolumesCreateParameters { Name = name, Labels = labels }, timeout.Token));
        return volume.Labels is { } found ? new Dictionary<string, string>(found) : new Dictionary<string, string>();
    }

    /// <summary>The parameters of Docker's container create for <paramref name="spec"/> (internal for the tests).</summary>
    internal static CreateContainerParameters ToParameters(DockerContainerSpec spec)
    {
        var host = new HostConfig
        {
            NetworkMode = "host",
            // A crashed agent restarts, as the clouds' systemd unit does it; one stopped on purpose does not.
            RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.OnFailure, MaximumRetryCount = 5 },
            Mounts = spec.Mounts.Select(m => new Mount { Type = "bind", Source = m.Source, Target = m.Target, ReadOnly = m.ReadOnly }).ToList(),
        };
        if (spec.GpuCount > 0)
            host.DeviceRequests = [new DeviceRequest { Driver = "nvidia", Count = spec.GpuCount, Capabilities = [["gpu"]] }];
        if (spec.NanoCpus is { } cpus)
            host.NanoCPUs = cpus;
        if (spec.MemoryBytes is { } memory)
            host.Memory = memory;
        if (spec.Init)
            host.Init = true;
        var parameters = new CreateContainerParameters
        {
            Name = spec.Name,
            Image = spec.Image,
            Cmd = spec.Command.ToList(),
            Env = spec.Environment.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}").ToList(),
            Labels = new Dictionary<string, string>(spec.Labels),
            HostConfig = host,
        };
        if (spec.Entrypoint.Count > 0)
            parameters.Entrypoint = spec.Entrypoint.ToList();
        return parameters;
    }

    private async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (DockerApiException e) when (e is not DockerContainerNotFoundException && DockerErrors.Map(e, Host.Zone) is { } mapped)
        {
            throw mapped;
        }
        catch (AuthenticationException e)
        {
            // The TLS handshake failed: the daemon's certificate is not from the configured CA, or it refused ours.
            throw new CloudProviderException(CloudErrorKind.Unauthorized, $"docker host {Host.Zone}: TLS with {Host.Endpoint} failed: {e.Message}", e);
        }
    }

    private async Task Call(Func<Task> call) => await Call(async () => { await call(); return true; });

    /// <summary>A container's creation time as the list gives it (whole seconds), whichever call read it: one machine, one launch time.</summary>
    private static DateTimeOffset WholeSeconds(DateTime created)
    {
        var utc = new DateTimeOffset(DateTime.SpecifyKind(created.Kind == DateTimeKind.Local ? created.ToUniversalTime() : created, DateTimeKind.Utc));
        return utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerSecond));
    }

    private static CancellationTokenSource Timeout(CancellationToken ct, TimeSpan timeout)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(ct);
        source.CancelAfter(timeout);
        return source;
    }

    private static Credentials? Credentials(DockerHostOptions host)
    {
        if (host.TlsClientCert is null)
            return null;
        var certificate = X509Certificate2.CreateFromPemFile(host.TlsClientCert, host.TlsClientKey);
        var credentials = new CertificateCredentials(certificate);
        if (host.TlsCaCert is { } caFile)
        {
            var authority = X509Certificate2.CreateFromPem(File.ReadAllText(caFile)); // the certificate alone: no key
            credentials.ServerCertificateValidationCallback = (_, cert, _, errors) => TrustedBy(authority, cert, errors);
        }
        return credentials;
    }

    /// <summary>The daemon's certificate chains to the configured CA (and names the host, as dockerd's do).</summary>
    private static bool TrustedBy(X509Certificate2 authority, X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var certificate = new X509Certificate2(presented);
        return chain.Build(certificate);
    }

    public void Dispose() => client.Dispose();
}
