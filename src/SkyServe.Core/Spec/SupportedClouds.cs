namespace SkyServe.Core.Spec;

/// <summary>The clouds a spec may name: the three public clouds, this project's local runtime, and Docker hosts.</summary>
public static class SupportedClouds
{
    public const string Aws = "aws";
    public const string Gcp = "gcp";
    public const string Azure = "azure";
    /// <summary>Replicas as processes on the controller's machine, with simulated spot capacity.</summary>
    public const string Local = "local";
    /// <summary>Replicas as containers on Docker hosts (the Docker provider), each host a zone.</summary>
    public const string Docker = "docker";

    public static IReadOnlyList<string> All { get; } = [Aws, Gcp, Azure, Local, Docker];

    /// <summary>SkyPilot's names for Kubernetes, which has no provider here.</summary>
    public static IReadOnlyList<string> KubernetesNames { get; } = ["kubernetes", "k8s"];

    /// <summary>The canonical (lower-case) name, or null for a cloud this project cannot launch on.</summary>
    public static string? Normalize(string? cloud)
    {
        var lower = cloud?.Trim().ToLowerInvariant();
        return lower is not null && All.Contains(lower) ? lower : null;
    }

    /// <summary>Why <paramref name="cloud"/> cannot be used: Kubernetes and SSH node pools get their own answer.</summary>
    public static string UnsupportedMessage(string cloud)
    {
        var lower = cloud.Trim().ToLowerInvariant();
        var supported = string.Join(", ", All);
        if (KubernetesNames.Contains(lower))
            return $"no Kubernetes provider: this project launches replicas on {supported}; name one of those instead of '{cloud}'";
        if (lower == "ssh")
            return $"no SSH node pool provider: this project launches replicas on {supported}; name one of those instead of '{cloud}'";
        return $"unsupported cloud '{cloud}' (supported: {supported})";
    }
}
