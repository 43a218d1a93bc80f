using System.Net;

namespace SkyServe.Providers.Aws.Query;

/// <summary>
/// Which failures are worth another try, and how long to wait: exponential backoff with full jitter
/// (AWS's recommendation for throttling). Every call this provider makes is safe to repeat: launches
/// carry a client token, terminations and reads are idempotent.
/// </summary>
public sealed class AwsRetryPolicy(int maxAttempts, TimeSpan baseDelay, TimeSpan maxDelay, Random random)
{
    private static readonly HashSet<string> RetryableCodes = new(StringComparer.Ordinal)
    {
        "RequestLimitExceeded", "Throttling", "ThrottlingException", "RequestThrottled", "RequestThrottledException",
        "InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable", "RequestTimeout",
    };

    /// <summary>
    /// EC2 files capacity shortages under its server errors (HTTP 500), but asking again at once only hammers
    /// a dry pool: the caller should try elsewhere.
    /// </summary>
    private static readonly HashSet<string> FinalServerCodes = new(StringComparer.Ordinal)
    {
        "InsufficientInstanceCapacity", "InsufficientCapacity", "InsufficientHostCapacity", "InsufficientAddressCapacity",
        "InsufficientReservedInstanceCapacity",
    };

    public int MaxAttempts { get; } = Math.Max(1, maxAttempts);

    public static bool IsRetryable(AwsApiException error) =>
        RetryableCodes.Contains(error.Code) || ((int)error.Status >= 500 && !FinalServerCodes.Contains(error.Code));

    public static bool IsRetryable(Exception error) => error switch
    {
        AwsApiException api => IsRetryable(api),
        HttpRequestException => true, // the connection failed or broke: nothing was answered
        TimeoutException => true,
        _ => false,
    };

    /// <summary>The wait before attempt <paramref name="attempt"/> + 1 (attempt counts from 1).</summary>
    public TimeSpan DelayAfter(int attempt)
    {
        var cap = Math.Min(maxDelay.TotalMilliseconds, baseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
        double jitter;
        lock (random)
            jitter = random.NextDouble();
        return TimeSpan.FromMilliseconds(cap * jitter);
    }
}
