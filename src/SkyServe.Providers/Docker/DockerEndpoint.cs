namespace SkyServe.Providers.Docker;

/// <summary>A Docker host's API endpoint: a unix socket (<c>unix:///var/run/docker.sock</c>) or TCP (<c>tcp://host:2376</c>).</summary>
public sealed record DockerEndpoint(Uri Uri)
{
    public bool IsUnixSocket => Uri.Scheme == "unix";

    public static bool TryParse(string? text, out DockerEndpoint endpoint)
    {
        endpoint = null!;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
            return false;
        var ok = uri.Scheme switch
        {
            "unix" => uri.AbsolutePath.Length > 1 && string.IsNullOrEmpty(uri.Host),
            "tcp" => uri.Host.Length > 0 && uri.Port > 0 && uri.AbsolutePath is "" or "/",
            _ => false,
        };
        if (ok)
            endpoint = new DockerEndpoint(uri);
        return ok;
    }
}
