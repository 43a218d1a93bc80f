namespace SkyServe.Providers.Boot;

/// <summary>How a cloud machine gets the ReplicaAgent at first boot.</summary>
public sealed record AgentInstallOptions
{
    /// <summary>
    /// A .tar.gz of the ReplicaAgent's self-contained linux-x64 publish (SkyServe.ReplicaAgent at its root, as
    /// <c>skyserve package</c> makes it), reachable from the machine without credentials: a signed URL, a public bucket
    /// object, or an HTTP server in the VPC. Null: the controller's own <c>GET /api/v1/agent/package</c>, whose digest
    /// the boot script checks (<see cref="AgentSettings.Package"/>).
    /// </summary>
    public string? PackageUrl { get; init; }

    /// <summary>The SHA-256 of the archive at <see cref="PackageUrl"/> (64 hex digits), checked on the machine; null: not checked.</summary>
    public string? PackageSha256 { get; init; }

    /// <summary>The port the agent serves on; the machine's endpoint is http://{private IP}:{port}.</summary>
    public int Port { get; init; } = 8080;

    public string InstallDirectory { get; init; } = "/opt/skyserve";
}
