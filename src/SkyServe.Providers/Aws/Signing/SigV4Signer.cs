using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace SkyServe.Providers.Aws.Signing;

/// <summary>
/// Signature Version 4 for arbitrary requests. This type builds the canonical request (task 1 of the
/// algorithm); AWSSDK.Core's <see cref="AWS4Signer.ComputeSignature(ImmutableCredentials, string, DateTime, string, string, string)"/>
/// derives the signing key, builds the string to sign and signs it (tasks 2-4). AWSSDK.Core's own request
/// pipeline needs a service client (AWSSDK.EC2 is not available here), so only these public pieces are used.
/// Checked against AWS's published Signature V4 test suite (tests/SkyServe.Providers.Tests/Aws/SigV4TestSuite).
/// </summary>
public static class SigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string DateHeader = "X-Amz-Date";
    public const string SecurityTokenHeader = "X-Amz-Security-Token";

    /// <summary>The canonical request and its signed-header list.</summary>
    /// <param name="path">The request path, not yet percent-encoded (each segment is encoded once).</param>
    /// <param name="query">Query parameters, not yet encoded.</param>
    /// <param name="headers">Every header to sign (host and x-amz-date included); repeated names are joined with commas in the order given.</param>
    public static (string CanonicalRequest, string SignedHeaders) CanonicalRequest(
        string method, string path, IEnumerable<KeyValuePair<string, string>> query,
        IEnumerable<KeyValuePair<string, string>> headers, string payloadSha256Hex)
    {
        var canonicalQuery = string.Join('&', query
            .Select(p => (Key: SigV4Encoding.Encode(p.Key), Value: SigV4Encoding.Encode(p.Value)))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Key}={p.Value}"));
        var grouped = headers
            .GroupBy(h => h.Key.Trim().ToLowerInvariant())
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Value: string.Join(',', g.Select(h => CollapseSpaces(h.Value)))))
            .ToList();
        var canonicalHeaders = string.Concat(grouped.Select(h => $"{h.Name}:{h.Value}\n"));
        var signedHeaders = string.Join(';', grouped.Select(h => h.Name));
        var canonical = $"{method.ToUpperInvariant()}\n{SigV4Encoding.EncodePath(path)}\n{canonicalQuery}\n{canonicalHeaders}\n{signedHeaders}\n{payloadSha256Hex}";
        return (canonical, signedHeaders);
    }

    public static string StringToSign(DateTime signedAtUtc, string region, string service, string canonicalRequest) =>
        $"{Algorithm}\n{AmzDate(signedAtUtc)}\n{Scope(signedAtUtc, region, service)}\n{Sha256Hex(canonicalRequest)}";

    /// <summary>The Authorization header value for a canonical request, signed by AWSSDK.Core.</summary>
    public static string Authorization(ImmutableCredentials credentials, DateTime signedAtUtc, string region, string service,
        string signedHeaders, string canonicalRequest) =>
        AWS4Signer.ComputeSignature(credentials, region, DateTime.SpecifyKind(signedAtUtc, DateTimeKind.Utc), service,
            signedHeaders, canonicalRequest).ForAuthorizationHeader;

    /// <summary>
    /// Signs a request whose body is <paramref name="body"/>: sets Host, X-Amz-Date, X-Amz-Security-Token (session
    /// credentials) and Authorization. Content-Type, when the content has one, is signed too.
    /// </summary>
    public static void Sign(HttpRequestMessage request, byte[] body, ImmutableCredentials credentials, string region, string service, DateTimeOffset now)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("the request has no URI", nameof(request));
        var signedAt = now.UtcDateTime;
        var host = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        request.Headers.Host = host;
        request.Headers.Remove(DateHeader);
        request.Headers.TryAddWithoutValidation(DateHeader, AmzDate(signedAt));
        var headers = new List<KeyValuePair<string, string>> { new("host", host), new(DateHeader, AmzDate(signedAt)) };
        if (credentials.UseToken)
        {
            request.Headers.Remove(SecurityTokenHeader);
            request.Headers.TryAddWithoutValidation(SecurityTokenHeader, credentials.Token);
            headers.Add(new(SecurityTokenHeader, credentials.Token));
        }
        if (request.Content?.Headers.ContentType is { } contentType)
            headers.Add(new("content-type", contentType.ToString()));
        var query = ParseQuery(uri.Query);
        var (canonical, signedHeaders) = CanonicalRequest(request.Method.Method, Uri.UnescapeDataString(uri.AbsolutePath), query, headers, Sha256Hex(body));
        // Not through AuthenticationHeaderValue: its parser refuses the comma-separated SigV4 parameters.
        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", Authorization(credentials, signedAt, region, service, signedHeaders, canonical));
    }

    public static string AmzDate(DateTime utc) => utc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static string Scope(DateTime utc, string region, string service) =>
        $"{utc.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}/{region}/{service}/aws4_request";

    public static string Sha256Hex(string text) => Sha256Hex(Encoding.UTF8.GetBytes(text));

    public static string Sha256Hex(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    private static string CollapseSpaces(string value) =>
        string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static List<KeyValuePair<string, string>> ParseQuery(string query)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=');
            var key = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? "" : part[(equals + 1)..];
            pairs.Add(new(Uri.UnescapeDataString(key), Uri.UnescapeDataString(value)));
        }
        return pairs;
    }
}
