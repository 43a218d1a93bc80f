namespace SkyServe.Providers.Docker;

/// <summary>An instance type of the Docker hosts: the size a container is placed as (and, with LimitResources, limited to), and its price.</summary>
public sealed record DockerInstanceType
{
    /// <summary>The type offered when none is configured: CPU-only, big enough for the built-in CPU engine's small models.</summary>
    public static readonly DockerInstanceType DefaultCpu = new()
    {
        Name = "docker-cpu", Cpus = 4, MemoryGiB = 16, OnDemandPerHour = 0.20m, SpotPerHour = 0.06m,
    };

    public string Name { get; init; } = "";

    public double Cpus { get; init; }

    public double MemoryGiB { get; init; }

    /// <summary>SkyPilot's GPU name (L4, A100-80GB, ...); null for a CPU-only type.</summary>
    public string? Gpu { get; init; }

    public int GpuCount { get; init; }

    /// <summary>Memory of one GPU, for placement by model size.</summary>
    public double GpuMemoryGiB { get; init; }

    /// <summary>What a container of this type costs per hour on demand (USD): what your hardware's share is worth to you.</summary>
    public decimal OnDemandPerHour { get; init; }

    /// <summary>The spot price; null: the type is not offered as spot.</summary>
    public decimal? SpotPerHour { get; init; }
}
