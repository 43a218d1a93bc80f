using System.Net;

namespace SkyServe.Providers.Aws.Query;

/// <summary>An error answer of an AWS Query API (EC2's <c>Response/Errors/Error</c>, SQS's <c>ErrorResponse/Error</c>).</summary>
public sealed class AwsApiException(string code, string message, HttpStatusCode status, string? requestId)
    : Exception($"{code}: {message}")
{
    public string Code { get; } = code;
    public string AwsMessage { get; } = message;
    public HttpStatusCode Status { get; } = status;
    public string? RequestId { get; } = requestId;
}
