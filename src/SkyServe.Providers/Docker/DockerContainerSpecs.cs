using SkyServe.Core.Catalog;

namespace SkyServe.Providers.Docker;

/// <summary>The container a launch asks for on a host: pure, from the request, the host, the instance type and the port.</summary>
public static class DockerContainerSpecs
{
    private const long GiB = 1L << 30;

    public static DockerContainerSpec For(LaunchRequest request, DockerProviderOptions options, DockerHostOptions host, InstanceOffering offering,
        DockerInstanceType type, string name, int port, string? metadataUrl, DateTimeOffset launchedAt)
    {
        var machineId = new DockerMachineId(host.Zone, name).ToString();
        string? modelPath = null;
        var mounts = options.Mounts.Select(m => DockerBindMount.TryParse(m, out var mount) ? mount
            : throw new ArgumentException($"Mounts: '{m}' is not /host/path:/container/path[:ro]")).ToList();
        if (request.Agent.Model is { } model)
        {
            var (path, mount) = DockerModelMount.For(model.Path, options.ModelRoot);
            modelPath = path;
            if (mount is not null)
                mounts.Add(mount);
        }
        return new DockerContainerSpec
        {
            Name = name,
            Image = ImageFor(request, options),
            Entrypoint = options.Entrypoint,
            Command = DockerAgentCommand.For(request.Agent, host, machineId, port, modelPath, metadataUrl),
            Environment = AgentServingArguments.Environment(request.Agent),
            Labels = DockerLabels.For(options.Deployment, request, port, launchedAt),
            Mounts = mounts,
            GpuCount = offering.AcceleratorCount,
            NanoCpus = options.LimitResources ? (long)(type.Cpus * 1e9) : null,
            MemoryBytes = options.LimitResources ? (long)(type.MemoryGiB * GiB) : null,
            Init = options.Init,
        };
    }

    /// <summary>
    /// The spec's <c>image_id: docker:IMAGE</c> (SkyPilot's form for a container image), else the configured agent image.
    /// Either must be on the host and start the agent (its entrypoint, or <see cref="DockerProviderOptions.Entrypoint"/>).
    /// </summary>
    public static string ImageFor(LaunchRequest request, DockerProviderOptions options)
    {
        if (request.Machine.ImageId is not { } image)
            return options.Image;
        if (!image.StartsWith(LaunchImage.DockerPrefix, StringComparison.OrdinalIgnoreCase) || image.Length == LaunchImage.DockerPrefix.Length)
            throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"image_id '{image}': docker replicas take a container image as docker:IMAGE");
        return image[LaunchImage.DockerPrefix.Length..];
    }
}
