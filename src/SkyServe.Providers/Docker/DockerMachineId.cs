namespace SkyServe.Providers.Docker;

/// <summary>A Docker machine's id is <c>zone/container-name</c>: names are unique only on one host.</summary>
public readonly record struct DockerMachineId(string Zone, string Name)
{
    public override string ToString() => $"{Zone}/{Name}";

    public static bool TryParse(string id, out DockerMachineId parsed)
    {
        var parts = id.Split('/');
        var ok = parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0;
        parsed = ok ? new DockerMachineId(parts[0], parts[1]) : default;
        return ok;
    }
}
