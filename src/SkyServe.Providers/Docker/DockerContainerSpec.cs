namespace SkyServe.Providers.Docker;

/// <summary>
/// What a replica container is made of, decided by <see cref="DockerContainerSpecs"/> and created as it says by
/// <see cref="DockerHostClient"/>: host networking always; GPUs through a device request of the NVIDIA driver.
/// </summary>
public sealed record DockerContainerSpec
{
    public required string Name { get; init; }
    public required string Image { get; init; }
    /// <summary>Empty: the image's entrypoint.</summary>
    public IReadOnlyList<string> Entrypoint { get; init; } = [];
    public required IReadOnlyList<string> Command { get; init; }
    public required IReadOnlyDictionary<string, string> Environment { get; init; }
    public required IReadOnlyDictionary<string, string> Labels { get; init; }
    public IReadOnlyList<DockerBindMount> Mounts { get; init; } = [];
    /// <summary>GPUs asked of the NVIDIA driver (<c>--gpus N</c>); 0: none.</summary>
    public int GpuCount { get; init; }
    /// <summary>CPU limit in billionths of a CPU (<c>--cpus</c>); null: none.</summary>
    public long? NanoCpus { get; init; }
    /// <summary>Memory limit in bytes (<c>--memory</c>); null: none.</summary>
    public long? MemoryBytes { get; init; }
    public bool Init { get; init; }
}
