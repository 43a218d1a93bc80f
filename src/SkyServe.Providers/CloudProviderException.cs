namespace SkyServe.Providers;

public sealed class CloudProviderException(CloudErrorKind kind, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public CloudErrorKind Kind { get; } = kind;

    /// <summary>The cloud's own error code (e.g. InsufficientInstanceCapacity), when there is one.</summary>
    public string? CloudCode { get; init; }
}
