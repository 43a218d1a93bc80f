namespace SkyServe.Controller.Hosting;

/// <summary>The ReplicaAgent archive the controller serves its machines: section <c>SkyServe:Agent</c>.</summary>
public sealed class AgentPackageOptions
{
    /// <summary>
    /// The archive (<c>replica-agent-linux-x64.tar.gz</c> as <c>skyserve package</c> makes it). Default: the one beside
    /// the controller's program (a packaged controller carries it), else <c>artifacts/packages/</c> of the checkout the
    /// controller runs from. A configured path that does not exist is answered 404 (and a cloud without its own
    /// package URL stops the start).
    /// </summary>
    public string? PackagePath { get; set; }
}
