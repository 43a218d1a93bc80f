namespace SkyServe.Providers.Docker;

/// <summary>A host folder bind-mounted into the container (<c>--mount type=bind</c>): it must exist on the host.</summary>
public sealed record DockerBindMount(string Source, string Target, bool ReadOnly)
{
    /// <summary>Docker's <c>-v</c> form: <c>/host/path:/container/path</c>, optionally <c>:ro</c> or <c>:rw</c>; both paths absolute.</summary>
    public static bool TryParse(string? text, out DockerBindMount mount)
    {
        mount = null!;
        var parts = (text ?? "").Split(':');
        if (parts.Length is < 2 or > 3 || !parts[0].StartsWith('/') || !parts[1].StartsWith('/') || (parts.Length == 3 && parts[2] is not ("ro" or "rw")))
            return false;
        mount = new DockerBindMount(parts[0], parts[1], ReadOnly: parts.Length == 3 && parts[2] == "ro");
        return true;
    }
}
