namespace SkyServe.Providers;

/// <summary>The spec's <c>image_id</c> for a virtual machine, in the cloud's own form.</summary>
public static class LaunchImage
{
    /// <summary>SkyPilot's prefix for running the task in a container image, which only the Docker provider does.</summary>
    public const string DockerPrefix = "docker:";

    /// <summary>
    /// The image a VM launch asks for, null for the provider's configured one. SkyPilot's image tags (<c>skypilot:...</c>)
    /// name images of SkyPilot's catalog, and <c>docker:</c> images a container runtime on the VM: neither exists here.
    /// </summary>
    public static string? ForVm(LaunchRequest request, string cloudName)
    {
        if (request.Machine.ImageId is not { } image)
            return null;
        if (image.StartsWith("skypilot:", StringComparison.OrdinalIgnoreCase) || image.StartsWith(DockerPrefix, StringComparison.OrdinalIgnoreCase))
            throw new CloudProviderException(CloudErrorKind.InvalidRequest,
                $"image_id '{image}': {cloudName} machines take the cloud's own image names; SkyPilot's image tags and docker: images are not supported there");
        return image;
    }
}
