using System.Net;
using Amazon.Runtime;

namespace SkyServe.Providers.Aws.Ec2;

/// <summary>
/// EC2 error codes (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html), as the SDK
/// reports them in <see cref="AmazonServiceException.ErrorCode"/>, mapped to the kinds callers handle.
/// Throttling and server errors never reach this table: the SDK's standard retry mode retries them, and
/// those that outlast the retries are raised as they are (<see cref="IsTransient"/>).
/// </summary>
public static class Ec2ErrorMapping
{
    private static readonly Dictionary<string, CloudErrorKind> Kinds = new(StringComparer.Ordinal)
    {
        // No capacity for this offering now: try another zone or market.
        ["InsufficientInstanceCapacity"] = CloudErrorKind.InsufficientCapacity,
        ["InsufficientCapacity"] = CloudErrorKind.InsufficientCapacity,
        ["InsufficientHostCapacity"] = CloudErrorKind.InsufficientCapacity,
        ["InsufficientAddressCapacity"] = CloudErrorKind.InsufficientCapacity,
        ["InsufficientFreeAddressesInSubnet"] = CloudErrorKind.InsufficientCapacity,
        // The spot price is above the maximum price: no spot capacity at a price we accept.
        ["SpotMaxPriceTooLow"] = CloudErrorKind.InsufficientCapacity,
        // Account limits.
        ["MaxSpotInstanceCountExceeded"] = CloudErrorKind.QuotaExceeded,
        ["InstanceLimitExceeded"] = CloudErrorKind.QuotaExceeded,
        ["VcpuLimitExceeded"] = CloudErrorKind.QuotaExceeded,
        // Credentials and permissions.
        ["UnauthorizedOperation"] = CloudErrorKind.Unauthorized,
        ["AuthFailure"] = CloudErrorKind.Unauthorized,
        ["SignatureDoesNotMatch"] = CloudErrorKind.Unauthorized,
        ["InvalidClientTokenId"] = CloudErrorKind.Unauthorized,
        ["MissingAuthenticationToken"] = CloudErrorKind.Unauthorized,
        ["RequestExpired"] = CloudErrorKind.Unauthorized,
        ["OptInRequired"] = CloudErrorKind.Unauthorized,
        ["PendingVerification"] = CloudErrorKind.Unauthorized,
        ["Blocked"] = CloudErrorKind.Unauthorized,
        ["AccessDenied"] = CloudErrorKind.Unauthorized,
        // Gone.
        ["InvalidInstanceID.NotFound"] = CloudErrorKind.NotFound,
        ["InvalidInstanceID.Malformed"] = CloudErrorKind.NotFound,
        // The request itself.
        ["InvalidParameterValue"] = CloudErrorKind.InvalidRequest,
        ["InvalidParameter"] = CloudErrorKind.InvalidRequest,
        ["InvalidParameterCombination"] = CloudErrorKind.InvalidRequest,
        ["MissingParameter"] = CloudErrorKind.InvalidRequest,
        ["Unsupported"] = CloudErrorKind.InvalidRequest,
        ["UnsupportedOperation"] = CloudErrorKind.InvalidRequest,
        ["IdempotentParameterMismatch"] = CloudErrorKind.InvalidRequest,
        ["InvalidAction"] = CloudErrorKind.InvalidRequest,
    };

    /// <summary>
    /// Codes that say this offering cannot be had now, so placement should leave it alone for a while:
    /// capacity and price, and <c>Unsupported</c> (the type is not sold in that zone).
    /// </summary>
    private static readonly HashSet<string> ShunOffering = new(StringComparer.Ordinal)
    {
        "InsufficientInstanceCapacity", "InsufficientCapacity", "SpotMaxPriceTooLow", "Unsupported",
    };

    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "RequestLimitExceeded", "Throttling", "ThrottlingException", "RequestThrottled", "RequestThrottledException",
        "InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable", "RequestTimeout",
    };

    /// <summary>Capacity shortages, which EC2 files under its server errors (HTTP 500): final, never retried.</summary>
    private static readonly HashSet<string> FinalServerCodes = new(StringComparer.Ordinal)
    {
        "InsufficientInstanceCapacity", "InsufficientCapacity", "InsufficientHostCapacity", "InsufficientAddressCapacity",
        "InsufficientReservedInstanceCapacity",
    };

    public static CloudErrorKind KindOf(AmazonServiceException error) => KindOf(error.ErrorCode, error.StatusCode);

    public static CloudErrorKind KindOf(string? code, HttpStatusCode status)
    {
        code ??= "";
        if (Kinds.TryGetValue(code, out var kind))
            return kind;
        // Families: InvalidAMIID.NotFound, InvalidSubnetID.Malformed, InvalidGroup.NotFound, InvalidKeyPair.NotFound...
        if (code.StartsWith("Invalid", StringComparison.Ordinal))
            return CloudErrorKind.InvalidRequest;
        return (int)status is 401 or 403 ? CloudErrorKind.Unauthorized : CloudErrorKind.InvalidRequest;
    }

    /// <summary>Throttling and server errors that outlasted the SDK's retries: raised as they are, not mapped.</summary>
    public static bool IsTransient(AmazonServiceException error) =>
        TransientCodes.Contains(error.ErrorCode ?? "") || ((int)error.StatusCode >= 500 && !FinalServerCodes.Contains(error.ErrorCode ?? ""));

    /// <summary>A capacity shortage sent as a server error: the retry policy must not retry it.</summary>
    public static bool IsFinal(Exception error) =>
        error is AmazonServiceException { ErrorCode: { } code } && FinalServerCodes.Contains(code);

    public static bool ShunsOffering(AmazonServiceException error) => ShunOffering.Contains(error.ErrorCode ?? "");

    public static bool IsNotFound(AmazonServiceException error) => KindOf(error) == CloudErrorKind.NotFound;

    public static CloudProviderException ToCloudError(AmazonServiceException error, string doing) =>
        new(KindOf(error), $"{doing}: {error.ErrorCode}: {error.Message}", error) { CloudCode = error.ErrorCode };
}
