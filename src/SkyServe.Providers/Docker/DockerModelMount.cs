namespace SkyServe.Providers.Docker;

/// <summary>
/// Where a spec's <c>model.path</c> comes from in a container. A URL (<c>scheme://...</c>) is fetched by the agent. An
/// absolute path is a folder on the Docker host, bind-mounted read-only at the same path. A relative path is relative to
/// <see cref="DockerProviderOptions.ModelRoot"/> on the host, and mounted likewise, when that is set; else it is passed
/// as written, for the agent to read inside the image (relative to its working directory: the agent image keeps the
/// example model there).
/// </summary>
public static class DockerModelMount
{
    public static (string Path, DockerBindMount? Mount) For(string path, string? modelRoot)
    {
        if (path.Contains("://", StringComparison.Ordinal))
            return (path, null);
        if (!System.IO.Path.IsPathRooted(path))
        {
            if (modelRoot is null)
                return (path, null);
            path = System.IO.Path.GetFullPath(path, modelRoot);
        }
        return (path, new DockerBindMount(path, path, ReadOnly: true));
    }
}
