namespace SkyServe.Cli.Packaging;

/// <summary>A program `skyserve package` publishes: its project, the archive it becomes and the executable at the archive's root.</summary>
public sealed record PackagedProgram(string Name, string Project, string Archive, string Executable)
{
    public const string Runtime = "linux-x64";

    public static readonly PackagedProgram ReplicaAgent = new("replica-agent",
        "src/SkyServe.ReplicaAgent/SkyServe.ReplicaAgent.csproj", $"replica-agent-{Runtime}.tar.gz", "SkyServe.ReplicaAgent");

    public static readonly PackagedProgram Controller = new("controller",
        "src/SkyServe.Controller/SkyServe.Controller.csproj", $"skyserve-controller-{Runtime}.tar.gz", "SkyServe.Controller");

    public static readonly PackagedProgram LoadBalancer = new("load-balancer",
        "src/SkyServe.LoadBalancer/SkyServe.LoadBalancer.csproj", $"skyserve-loadbalancer-{Runtime}.tar.gz", "SkyServe.LoadBalancer");

    /// <summary>In the order they are packaged: the agent first, so that the controller's archive can carry it.</summary>
    public static IReadOnlyList<PackagedProgram> All { get; } = [ReplicaAgent, Controller, LoadBalancer];

    public static IReadOnlyList<string> Names => All.Select(p => p.Name).ToList();
}
