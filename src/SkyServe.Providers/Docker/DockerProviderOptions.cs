namespace SkyServe.Providers.Docker;

/// <summary>
/// Settings of the Docker provider: configuration section <c>SkyServe:Clouds:Docker</c> (environment variables
/// <c>SkyServe__Clouds__Docker__...</c>, e.g. <c>SkyServe__Clouds__Docker__Hosts__0__Endpoint=unix:///var/run/docker.sock</c>).
/// Replicas are ReplicaAgent containers on the <see cref="Hosts"/>, each host a zone of the cloud <c>docker</c>.
/// <see cref="DockerProviderOptionsValidator"/> says what is wrong with a set of them.
/// </summary>
public sealed record DockerProviderOptions
{
    public const string SectionName = "SkyServe:Clouds:Docker";

    /// <summary>The Docker hosts, each one zone.</summary>
    public List<DockerHostOptions> Hosts { get; init; } = [];

    /// <summary>
    /// The agent image, present on every host (no registry is asked: build or <c>docker load</c> it there), e.g.
    /// <c>skyserve-agent:latest</c>. Its entrypoint is the ReplicaAgent (or see <see cref="Entrypoint"/>); the provider
    /// passes the agent's flags as the command.
    /// </summary>
    public string Image { get; init; } = "";

    /// <summary>Overrides the image's entrypoint (e.g. <c>/opt/skyserve/agent/SkyServe.ReplicaAgent</c>); empty keeps the image's.</summary>
    public List<string> Entrypoint { get; init; } = [];

    /// <summary>
    /// The ports agents listen on, <c>FIRST-LAST</c>: each container gets one that no other container of the host uses
    /// (containers share the host's network). The endpoint is <c>http://{host Address}:{port}</c>.
    /// </summary>
    public string AgentPorts { get; init; } = "30600-30999";

    /// <summary>
    /// Names this deployment's containers (label <c>skyserve.deployment</c>, name prefix): controllers with the same name
    /// share the containers; another deployment on the same hosts never sees them. Lower-case letters, digits and '-'.
    /// </summary>
    public string Deployment { get; init; } = "skyserve";

    /// <summary>What the hosts offer: every host offers each CPU-only type, and a GPU type where it has at least that many of that GPU.</summary>
    public List<DockerInstanceType> InstanceTypes { get; init; } = [];

    /// <summary><see cref="InstanceTypes"/>, or <see cref="DockerInstanceType.DefaultCpu"/> when none are configured.</summary>
    public IReadOnlyList<DockerInstanceType> EffectiveInstanceTypes => InstanceTypes.Count > 0 ? InstanceTypes : [DockerInstanceType.DefaultCpu];

    /// <summary>
    /// A host folder that relative <c>model.path</c>s of specs are relative to; such a model folder is bind-mounted
    /// read-only into the container at the same path. Null: a relative path is passed as written and read inside the
    /// image (from its working directory, where the agent image keeps the example model). An absolute path is always
    /// bind-mounted from the host, so the folder must exist there; a URL is fetched by the agent.
    /// </summary>
    public string? ModelRoot { get; init; }

    /// <summary>
    /// Further host folders every container gets, in Docker's <c>-v</c> form <c>/host/path:/container/path[:ro]</c>
    /// (a shared model cache, drivers, ...): they must exist on every host.
    /// </summary>
    public List<string> Mounts { get; init; } = [];

    /// <summary>Limit each container to its instance type's vCPUs and memory (cgroups); off: the sizes only guide placement.</summary>
    public bool LimitResources { get; init; }

    /// <summary>Run the container with Docker's init process (<c>--init</c>), which reaps the external engine's orphans.</summary>
    public bool Init { get; init; }

    /// <summary>How long a terminated container's agent gets to drain after SIGTERM before it is killed.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a spot offering refused for capacity stays filtered out.</summary>
    public TimeSpan UnavailableOfferingTtl { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for one call to a Docker host (a stop waits <see cref="StopGrace"/> on top).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The simulated spot market (the local runtime's), for hosts with a <see cref="DockerHostOptions.Spot"/> section.</summary>
    public DockerSpotOptions Spot { get; init; } = new();
}
