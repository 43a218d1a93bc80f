using SkyServe.Core.Spec;

namespace SkyServe.Providers;

/// <summary>The spec's labels of a launch, checked before a provider puts them beside the machine's own tags.</summary>
public static class LaunchLabels
{
    /// <summary>
    /// The labels, or an <see cref="CloudErrorKind.InvalidRequest"/> when one would take the place of a SkyServe tag
    /// (the spec reader refuses those too; this guards launches made without a spec).
    /// </summary>
    public static IReadOnlyDictionary<string, string> Of(LaunchRequest request)
    {
        foreach (var key in request.Machine.Labels.Keys)
        {
            if (MachineLabels.Problem(key) is { } problem)
                throw new CloudProviderException(CloudErrorKind.InvalidRequest, problem);
            if (request.Tags.ContainsKey(key))
                throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"label '{key}' would replace the machine tag of the same name");
        }
        return request.Machine.Labels;
    }
}
