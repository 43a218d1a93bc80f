using System.Text.RegularExpressions;
using SkyServe.Core.Catalog;

namespace SkyServe.Providers.Docker;

/// <summary>What is wrong with a set of <see cref="DockerProviderOptions"/>, each problem named by its configuration key.</summary>
public static partial class DockerProviderOptionsValidator
{
    public static IReadOnlyList<string> Problems(DockerProviderOptions options)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Image))
            problems.Add("Image is required (the agent image, e.g. skyserve-agent:latest, present on every host)");
        if (!DockerPortRange.TryParse(options.AgentPorts, out _))
            problems.Add($"AgentPorts must be FIRST-LAST with ports from 1 to 65535, FIRST not above LAST (got '{options.AgentPorts}')");
        if (!Name().IsMatch(options.Deployment ?? ""))
            problems.Add($"Deployment must be lower-case letters, digits and '-' (got '{options.Deployment}')");
        if (options.StopGrace < TimeSpan.Zero)
            problems.Add("StopGrace must not be negative");
        if (options.UnavailableOfferingTtl < TimeSpan.Zero)
            problems.Add("UnavailableOfferingTtl must not be negative");
        if (options.RequestTimeout <= TimeSpan.Zero)
            problems.Add("RequestTimeout must be positive");
        if (options.Entrypoint.Any(string.IsNullOrEmpty))
            problems.Add("Entrypoint must not hold an empty word");
        for (var i = 0; i < options.Mounts.Count; i++)
            if (!DockerBindMount.TryParse(options.Mounts[i], out _))
                problems.Add($"Mounts:{i} must be /host/path:/container/path, optionally :ro or :rw (got '{options.Mounts[i]}')");
        CheckSpot(options.Spot, problems);
        CheckInstanceTypes(options.InstanceTypes, problems);
        if (options.Hosts.Count == 0)
            problems.Add("no hosts: set Hosts:0:Zone and Hosts:0:Endpoint (unix:///var/run/docker.sock or tcp://host:2376)");
        for (var i = 0; i < options.Hosts.Count; i++)
            CheckHost($"Hosts:{i}", options.Hosts[i], problems);
        foreach (var twice in options.Hosts.GroupBy(h => h.Zone).Where(g => g.Count() > 1 && g.Key.Length > 0))
            problems.Add($"zone '{twice.Key}' is named by more than one host");
        return problems;
    }

    private static void CheckHost(string key, DockerHostOptions host, List<string> problems)
    {
        if (!Name().IsMatch(host.Zone ?? ""))
            problems.Add($"{key}:Zone must be lower-case letters, digits and '-' (got '{host.Zone}')");
        if (host.Region is { Length: > 0 } region && !Name().IsMatch(region))
            problems.Add($"{key}:Region must be lower-case letters, digits and '-' (got '{region}')");
        if (!DockerEndpoint.TryParse(host.Endpoint, out _))
            problems.Add($"{key}:Endpoint must be unix:///path/to/docker.sock or tcp://host:port (got '{host.Endpoint}')");
        else if (host.Endpoint.StartsWith("unix:", StringComparison.Ordinal) && (host.TlsCaCert ?? host.TlsClientCert ?? host.TlsClientKey) is not null)
            problems.Add($"{key}: TLS settings apply to tcp:// endpoints only");
        if ((host.TlsClientCert is null) != (host.TlsClientKey is null))
            problems.Add($"{key}: TlsClientCert and TlsClientKey go together");
        else if (host.TlsCaCert is not null && host.TlsClientCert is null)
            problems.Add($"{key}: TlsCaCert needs TlsClientCert and TlsClientKey (TLS is for a dockerd --tlsverify, which verifies its clients)");
        foreach (var (name, path) in new[] { ("TlsCaCert", host.TlsCaCert), ("TlsClientCert", host.TlsClientCert), ("TlsClientKey", host.TlsClientKey) })
            if (path is not null && !File.Exists(path))
                problems.Add($"{key}:{name}: file {path} not found");
        if (string.IsNullOrWhiteSpace(host.Address) || host.Address.Contains('/') || host.Address.Contains(' '))
            problems.Add($"{key}:Address must be the host's IP address or name, as the controller reaches it (got '{host.Address}')");
        if (host.Gpu is not null && KnownAccelerators.Canonical(host.Gpu) is null)
            problems.Add($"{key}:Gpu '{host.Gpu}' is not a known accelerator ({string.Join(", ", KnownAccelerators.Names)})");
        if (host.GpuCount < 0 || (host.Gpu is not null && host.GpuCount == 0) || (host.Gpu is null && host.GpuCount > 0))
            problems.Add($"{key}: Gpu and GpuCount go together, GpuCount at least 1");
        if (host.MaxContainers < 1)
            problems.Add($"{key}:MaxContainers must be at least 1");
        if (host.Spot is { } spot && (spot.MaxSpot < 0 || spot.TraceOffsetHours < 0))
            problems.Add($"{key}:Spot: MaxSpot and TraceOffsetHours must not be negative");
    }

    private static void CheckInstanceTypes(IReadOnlyList<DockerInstanceType> types, List<string> problems)
    {
        for (var i = 0; i < types.Count; i++)
        {
            var (type, key) = (types[i], $"InstanceTypes:{i}");
            if (string.IsNullOrWhiteSpace(type.Name))
                problems.Add($"{key}:Name is required");
            if (type.Cpus <= 0 || type.MemoryGiB <= 0)
                problems.Add($"{key}: Cpus and MemoryGiB must be positive");
            if (type.OnDemandPerHour < 0 || type.SpotPerHour < 0)
                problems.Add($"{key}: prices must not be negative");
            if (type.Gpu is not null && KnownAccelerators.Canonical(type.Gpu) is null)
                problems.Add($"{key}:Gpu '{type.Gpu}' is not a known accelerator ({string.Join(", ", KnownAccelerators.Names)})");
            if ((type.Gpu is null) != (type.GpuCount == 0) || type.GpuCount < 0)
                problems.Add($"{key}: Gpu and GpuCount go together, GpuCount at least 1");
        }
        foreach (var twice in types.GroupBy(t => t.Name).Where(g => g.Count() > 1))
            problems.Add($"instance type '{twice.Key}' is listed more than once");
    }

    private static void CheckSpot(DockerSpotOptions spot, List<string> problems)
    {
        if (spot.TimeCompression <= 0)
            problems.Add("Spot:TimeCompression must be positive");
        if (spot.NoticeLead <= TimeSpan.Zero)
            problems.Add("Spot:NoticeLead must be positive");
        if (spot.MarketInterval < TimeSpan.Zero)
            problems.Add("Spot:MarketInterval must not be negative");
        if (spot.MetadataPort is < 0 or > 65535)
            problems.Add("Spot:MetadataPort must be a port from 0 (any) to 65535");
    }

    /// <summary>A zone, region or deployment name: safe in a container name, a label and an <c>infra:</c> path.</summary>
    [GeneratedRegex("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex Name();
}
