using Azure;
using Azure.Identity;

namespace SkyServe.Providers.Azure;

/// <summary>ARM and Compute RP error codes → <see cref="CloudProviderException"/> kinds (DESIGN.md section 7).</summary>
internal static class AzureErrors
{
    /// <summary>No capacity for this size in this zone or region now (spot or not).</summary>
    private static readonly HashSet<string> Capacity = new(StringComparer.OrdinalIgnoreCase)
    {
        "SkuNotAvailable", "AllocationFailed", "ZonalAllocationFailed", "OverconstrainedAllocationRequest",
        "OverconstrainedZonalAllocationRequest", "SpotVMAllocationFailed",
    };

    public static CloudProviderException From(RequestFailedException e)
    {
        var code = e.ErrorCode ?? "";
        var kind = code switch
        {
            _ when Capacity.Contains(code) => CloudErrorKind.InsufficientCapacity,
            "QuotaExceeded" => CloudErrorKind.QuotaExceeded,
            // OperationNotAllowed is how the Compute RP refuses a request past a core or VM quota.
            "OperationNotAllowed" when e.Message.Contains("quota", StringComparison.OrdinalIgnoreCase) => CloudErrorKind.QuotaExceeded,
            "AuthorizationFailed" or "InvalidAuthenticationToken" or "InvalidAuthenticationTokenTenant" or "AuthenticationFailed"
                or "LinkedAuthorizationFailed" => CloudErrorKind.Unauthorized,
            "ResourceNotFound" or "ResourceGroupNotFound" or "NotFound" or "SubscriptionNotFound" => CloudErrorKind.NotFound,
            "InvalidParameter" or "BadRequest" or "InvalidRequestContent" or "InvalidResourceReference" => CloudErrorKind.InvalidRequest,
            _ => e.Status switch
            {
                401 or 403 => CloudErrorKind.Unauthorized,
                404 => CloudErrorKind.NotFound,
                _ => CloudErrorKind.InvalidRequest,
            },
        };
        return new CloudProviderException(kind, FirstLine(e.Message), e) { CloudCode = code.Length > 0 ? code : e.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) };
    }

    /// <summary>No token could be had (no managed identity, an expired secret, a wrong tenant).</summary>
    public static CloudProviderException From(AuthenticationFailedException e) =>
        new(CloudErrorKind.Unauthorized, $"Azure credentials were refused: {OneLine(e.Message + " " + e.InnerException?.Message)}", e)
        {
            CloudCode = (e.InnerException as Microsoft.Identity.Client.MsalServiceException)?.ErrorCode ?? "AuthenticationFailed",
        };

    /// <summary>Azure.Core appends the status, headers and content to the message; the first line is ARM's own.</summary>
    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    /// <summary>Azure.Identity's message says which credential failed; the token endpoint's answer (AADSTS...) is in the inner exception.</summary>
    private static string OneLine(string message)
    {
        var text = string.Join(' ', message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
        return text.Length > 600 ? text[..600] + "..." : text;
    }
}
