using SkyServe.Providers.Aws.Query;

namespace SkyServe.Providers.Aws.Ec2;

/// <summary>
/// EC2 error codes (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html) as the
/// kinds callers handle. Throttling and server errors never reach this table: the query client retries them.
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

    public static CloudErrorKind KindOf(AwsApiException error)
    {
        if (Kinds.TryGetValue(error.Code, out var kind))
            return kind;
        // Families: InvalidAMIID.NotFound, InvalidSubnetID.Malformed, InvalidGroup.NotFound, InvalidKeyPair.NotFound...
        if (error.Code.StartsWith("Invalid", StringComparison.Ordinal))
            return CloudErrorKind.InvalidRequest;
        return (int)error.Status is 401 or 403 ? CloudErrorKind.Unauthorized : CloudErrorKind.InvalidRequest;
    }

    public static bool ShunsOffering(AwsApiException error) => ShunOffering.Contains(error.Code);

    public static bool IsNotFound(AwsApiException error) => KindOf(error) == CloudErrorKind.NotFound;

    public static CloudProviderException ToCloudError(AwsApiException error, string doing) =>
        new(KindOf(error), $"{doing}: {error.Code}: {error.AwsMessage}", error) { CloudCode = error.Code };
}
