namespace SkyServe.Providers.Docker;

/// <summary>One Docker host: a zone of the cloud <c>docker</c>.</summary>
public sealed record DockerHostOptions
{
    /// <summary>The zone's name (lower-case letters, digits and '-'), e.g. <c>gpu-box-1</c>.</summary>
    public string Zone { get; init; } = "";

    /// <summary>The zone's region; null: the zone's own name (every host a failure domain of its own).</summary>
    public string? Region { get; init; }

    /// <summary><c>unix:///var/run/docker.sock</c>, or <c>tcp://host:2376</c> (TLS when <see cref="TlsClientCert"/> is set; plain HTTP otherwise, for a daemon behind a tunnel).</summary>
    public string Endpoint { get; init; } = "";

    /// <summary>PEM certificate of the CA that signed the daemon's certificate (TCP with TLS); null: the system's trust store.</summary>
    public string? TlsCaCert { get; init; }

    /// <summary>PEM client certificate for a daemon that verifies its clients (<c>dockerd --tlsverify</c>), with <see cref="TlsClientKey"/>.</summary>
    public string? TlsClientCert { get; init; }

    /// <summary>PEM private key of <see cref="TlsClientCert"/>.</summary>
    public string? TlsClientKey { get; init; }

    /// <summary>
    /// Where the controller and load balancers reach the replicas on this host (an IP address or a name), e.g.
    /// <c>10.0.0.7</c>; 127.0.0.1 for a dockerd on the controller's own machine. An IP address is also what the agent
    /// binds (a name: it binds every address).
    /// </summary>
    public string Address { get; init; } = "127.0.0.1";

    /// <summary>The host's GPU (SkyPilot's name: L4, A100-80GB, ...); null: none.</summary>
    public string? Gpu { get; init; }

    /// <summary>How many <see cref="Gpu"/>s it has.</summary>
    public int GpuCount { get; init; }

    /// <summary>Most live containers of this deployment on the host: launches beyond it fail with QuotaExceeded.</summary>
    public int MaxContainers { get; init; } = 16;

    /// <summary>A simulated spot market for this zone; null: spot containers here are never reclaimed.</summary>
    public DockerZoneSpotOptions? Spot { get; init; }

    /// <summary>The region, defaulted.</summary>
    public string RegionName => string.IsNullOrWhiteSpace(Region) ? Zone : Region;
}
