using System.Globalization;

namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>
/// The IMDSv2 session token: obtained with PUT /latest/api/token and reused until shortly before it
/// expires, as AWS recommends (one PUT per poll would double the load on the metadata service).
/// Used by one watcher loop at a time, so it needs no locking.
/// </summary>
public sealed class AwsImdsTokenCache(HttpClient http, Uri baseUrl, TimeProvider time)
{
    public const string TtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
    public static readonly TimeSpan RequestedTtl = TimeSpan.FromHours(6);

    /// <summary>A token this close to expiry is replaced, so a poll never sends one that dies in flight.</summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private string? token;
    private DateTimeOffset expiresAt;

    public async Task<string> GetAsync(CancellationToken ct)
    {
        if (token is not null && time.GetUtcNow() < expiresAt - RefreshMargin)
            return token;

        using var request = new HttpRequestMessage(HttpMethod.Put, MetadataUrls.Append(baseUrl, "latest/api/token"));
        request.Headers.Add(TtlHeader, ((int)RequestedTtl.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        var requestedAt = time.GetUtcNow();
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
            throw new MetadataServiceException($"PUT {request.RequestUri} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        var body = (await response.Content.ReadAsStringAsync(ct)).Trim();
        if (body.Length == 0)
            throw new MetadataServiceException($"PUT {request.RequestUri} answered an empty token");

        token = body;
        expiresAt = requestedAt + GrantedTtl(response);
        return token;
    }

    /// <summary>Forgets the token, e.g. after a 401 (the metadata service restarted or the token expired early).</summary>
    public void Invalidate() => token = null;

    // The service echoes the TTL it granted; trust it when it is shorter than asked.
    private static TimeSpan GrantedTtl(HttpResponseMessage response) =>
        response.Headers.TryGetValues(TtlHeader, out var values)
        && int.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
        && seconds > 0 && seconds < RequestedTtl.TotalSeconds
            ? TimeSpan.FromSeconds(seconds)
            : RequestedTtl;
}
