using SkyServe.Core.Catalog;

namespace SkyServe.Providers.Docker;

/// <summary>
/// What the Docker hosts offer: every host (a zone of the cloud <c>docker</c>) each CPU-only instance type, and each GPU
/// type whose GPU it has, at least as many; on demand, and as spot where the type has a spot price. There is no catalog
/// file: the sizes and prices of one's own hardware are the operator's settings.
/// </summary>
public static class DockerOfferings
{
    public static IReadOnlyList<(InstanceOffering Offering, DockerHostOptions Host, DockerInstanceType Type)> For(DockerProviderOptions options) =>
        options.Hosts.SelectMany(host => options.EffectiveInstanceTypes.Where(type => Fits(type, host)).Select(type => (
            new InstanceOffering(DockerCloud.Name, host.RegionName, host.Zone, type.Name,
                type.Gpu is null ? null : KnownAccelerators.Canonical(type.Gpu) ?? type.Gpu, type.GpuCount, type.GpuMemoryGiB,
                type.Cpus, type.MemoryGiB, type.OnDemandPerHour, type.SpotPerHour),
            host, type))).ToList();

    public static bool Fits(DockerInstanceType type, DockerHostOptions host) =>
        type.Gpu is null || (string.Equals(type.Gpu, host.Gpu, StringComparison.OrdinalIgnoreCase) && host.GpuCount >= type.GpuCount);
}
