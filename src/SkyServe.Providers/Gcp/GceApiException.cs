using System.Net;

namespace SkyServe.Providers.Gcp;

/// <summary>A Compute Engine call that failed with an error body; <see cref="Reason"/> is <c>error.errors[0].reason</c>.</summary>
internal sealed class GceApiException(HttpStatusCode status, string? reason, string message)
    : Exception($"Compute Engine API: {(int)status} {reason}: {message}")
{
    public HttpStatusCode Status { get; } = status;
    public string? Reason { get; } = reason;
    public string ApiMessage { get; } = message;
}
