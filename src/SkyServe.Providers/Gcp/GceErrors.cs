using System.Net;
using Google.Apis.Auth.OAuth2.Responses;

namespace SkyServe.Providers.Gcp;

/// <summary>Compute Engine failures → <see cref="CloudProviderException"/> kinds (DESIGN.md section 7).</summary>
internal static class GceErrors
{
    /// <summary>A failed API call (synchronous error body).</summary>
    public static CloudProviderException FromApi(GceApiException e)
    {
        var kind = e.Status switch
        {
            HttpStatusCode.Unauthorized => CloudErrorKind.Unauthorized,
            HttpStatusCode.Forbidden when e.Reason is "quotaExceeded" => CloudErrorKind.QuotaExceeded,
            HttpStatusCode.Forbidden => CloudErrorKind.Unauthorized,
            HttpStatusCode.NotFound => CloudErrorKind.NotFound,
            _ when IsCapacity(e.Reason) => CloudErrorKind.InsufficientCapacity,
            _ => CloudErrorKind.InvalidRequest, // 400 invalid/badRequest, 409, 412 ...: the request itself must change
        };
        return new CloudProviderException(kind, e.ApiMessage, e) { CloudCode = e.Reason ?? ((int)e.Status).ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }

    /// <summary>A zone operation that finished with <c>error.errors[]</c>; the first error's code decides.</summary>
    public static CloudProviderException FromOperation(GceOperation operation)
    {
        var first = operation.Error?.Errors?.FirstOrDefault();
        var code = first?.Code ?? "UNKNOWN";
        var message = string.Join("; ", operation.Error?.Errors?.Select(e => $"{e.Code}: {e.Message}") ?? []);
        var kind = code switch
        {
            _ when IsCapacity(code) => CloudErrorKind.InsufficientCapacity,
            "QUOTA_EXCEEDED" => CloudErrorKind.QuotaExceeded,
            "PERMISSIONS_ERROR" or "FORBIDDEN" => CloudErrorKind.Unauthorized,
            "RESOURCE_NOT_FOUND" or "NOT_FOUND" => CloudErrorKind.NotFound,
            _ => operation.HttpErrorStatusCode switch
            {
                401 or 403 => CloudErrorKind.Unauthorized,
                404 => CloudErrorKind.NotFound,
                _ => CloudErrorKind.InvalidRequest,
            },
        };
        return new CloudProviderException(kind, $"operation {operation.Name} failed: {message}") { CloudCode = code };
    }

    /// <summary>The OAuth token endpoint refused the credential (bad key, disabled account, wrong audience).</summary>
    public static CloudProviderException FromToken(TokenResponseException e) =>
        new(CloudErrorKind.Unauthorized, $"GCP credentials were refused: {e.Error?.Error} {e.Error?.ErrorDescription}".TrimEnd(), e)
        {
            CloudCode = e.Error?.Error,
        };

    /// <summary>GCE's stockout codes: the zone has no capacity for this machine now.</summary>
    public static bool IsCapacity(string? code) => code is "ZONE_RESOURCE_POOL_EXHAUSTED" or "ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS"
        or "RESOURCE_POOL_EXHAUSTED" or "RESOURCE_EXHAUSTED" or "resourceExhausted" or "STOCKOUT";
}
