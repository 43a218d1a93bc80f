namespace SkyServe.Providers.Docker;

/// <summary>A host folder bind-mounted into the container (<c>--mount type=bind</c>): it must exist on the host.</summary>
public sealed record DockerBindMount(string Source, string Target, bool ReadOnly);
