namespace SkyServe.Providers.Boot;

/// <summary>How a cloud machine gets the ReplicaAgent at first boot.</summary>
public sealed record AgentInstallOptions
{
    /// <summary>
    /// A .tar.gz of the ReplicaAgent's self-contained linux-x64 publish (SkyServe.ReplicaAgent at its root), reachable
    /// from the machine without credentials: a signed URL, a public bucket object, or an HTTP server in the VPC.
    /// </summary>
    public required string PackageUrl { get; init; }

    /// <summary>The port the agent serves on; the machine's endpoint is http://{private IP}:{port}.</summary>
    public int Port { get; init; } = 8080;

    public string InstallDirectory { get; init; } = "/opt/skyserve";
}
