using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SkyServe.Cloud.Emulators.Aws;

/// <summary>The parts of a Signature V4 Authorization header.</summary>
public sealed record SigV4Authorization(string AccessKey, string Date, string Region, string Service, IReadOnlyList<string> SignedHeaders, string Signature);

/// <summary>
/// The server side of Signature V4, written apart from the provider's signer so that a mistake on one side
/// is not mirrored on the other: it rebuilds the canonical request from what arrived on the wire, derives
/// the signing key from the secret it knows and compares signatures.
/// </summary>
public static class SigV4Verifier
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    public static SigV4Authorization ParseAuthorization(string? header)
    {
        if (string.IsNullOrEmpty(header))
            throw new Ec2Fault("MissingAuthenticationToken", "Request is missing Authentication Token", HttpStatusCode.Unauthorized);
        if (!header.StartsWith(Algorithm + " ", StringComparison.Ordinal))
            throw new Ec2Fault("IncompleteSignature", $"Unsupported AWS 'algorithm': '{header.Split(' ')[0]}'", HttpStatusCode.BadRequest);
        var fields = header[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2))
            .Where(f => f.Length == 2)
            .ToDictionary(f => f[0], f => f[1], StringComparer.Ordinal);
        if (!fields.TryGetValue("Credential", out var credential) || !fields.TryGetValue("SignedHeaders", out var signed) || !fields.TryGetValue("Signature", out var signature))
            throw new Ec2Fault("IncompleteSignature", "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.", HttpStatusCode.BadRequest);
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request")
            throw new Ec2Fault("IncompleteSignature", $"Credential should be scoped to a valid region and service: '{credential}'.", HttpStatusCode.BadRequest);
        return new SigV4Authorization(scope[0], scope[1], scope[2], scope[3], signed.Split(';'), signature);
    }

    /// <summary>The canonical request of a request as received.</summary>
    /// <param name="rawPath">The path as sent, percent-encoded.</param>
    /// <param name="rawQuery">The query as sent, without '?', percent-encoded.</param>
    /// <param name="header">The value(s) of a header by lower-case name, in arrival order.</param>
    public static string CanonicalRequest(string method, string rawPath, string rawQuery, IReadOnlyList<string> signedHeaders,
        Func<string, IReadOnlyList<string>> header, string payloadHash)
    {
        var path = string.Join('/', Uri.UnescapeDataString(rawPath.Length == 0 ? "/" : rawPath).Split('/').Select(Encode));
        var query = string.Join('&', rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(kv => (Key: Encode(Uri.UnescapeDataString(kv[0])), Value: Encode(kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "")))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal).ThenBy(kv => kv.Value, StringComparer.Ordinal)
            .Select(kv => kv.Key + "=" + kv.Value));
        var headers = new StringBuilder();
        foreach (var name in signedHeaders)
            headers.Append(name).Append(':').Append(string.Join(',', header(name).Select(Normalize))).Append('\n');
        return $"{method}\n{path}\n{query}\n{headers}\n{string.Join(';', signedHeaders)}\n{payloadHash}";
    }

    public static string StringToSign(string amzDate, string scopeDate, string region, string service, string canonicalRequest) =>
        $"{Algorithm}\n{amzDate}\n{scopeDate}/{region}/{service}/aws4_request\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

    public static string Signature(string secret, string scopeDate, string region, string service, string stringToSign)
    {
        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), scopeDate);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        return Hex(Hmac(key, stringToSign));
    }

    /// <summary>
    /// Checks the request's signature with <paramref name="secretFor"/> (null: unknown key). Returns the parsed
    /// authorization; throws the error AWS answers with otherwise.
    /// </summary>
    public static SigV4Authorization Verify(HttpContext context, byte[] body, string expectedService, Func<string, string?> secretFor,
        DateTimeOffset now, TimeSpan allowedSkew)
    {
        var request = context.Request;
        var auth = ParseAuthorization(request.Headers.Authorization.ToString());
        if (auth.Service != expectedService)
            throw new Ec2Fault("SignatureDoesNotMatch", $"Credential should be scoped to correct service: '{expectedService}'. ", HttpStatusCode.Forbidden);
        var secret = secretFor(auth.AccessKey)
            ?? throw new Ec2Fault("AuthFailure", "AWS was not able to validate the provided access credentials", HttpStatusCode.Unauthorized);
        if (!auth.SignedHeaders.Contains("host") || auth.SignedHeaders.Any(h => h != h.ToLowerInvariant()) || !auth.SignedHeaders.SequenceEqual(auth.SignedHeaders.Order(StringComparer.Ordinal)))
            throw new Ec2Fault("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Signed headers must include host, in lower case and sorted.", HttpStatusCode.Forbidden);
        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var signedAt))
            throw new Ec2Fault("IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", HttpStatusCode.BadRequest);
        if ((signedAt - now).Duration() > allowedSkew)
            throw new Ec2Fault("RequestExpired", $"Request has expired. Signed at {amzDate}, now {now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.", HttpStatusCode.BadRequest);
        if (auth.Date != amzDate[..8])
            throw new Ec2Fault("SignatureDoesNotMatch", $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{auth.Date}' != '{amzDate[..8]}'", HttpStatusCode.Forbidden);

        var payloadHash = Hex(SHA256.HashData(body));
        if (request.Headers.TryGetValue("X-Amz-Content-Sha256", out var claimed) && claimed.ToString() != payloadHash)
            throw new Ec2Fault("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", HttpStatusCode.BadRequest);
        var rawTarget = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? (request.Path + request.QueryString).ToString();
        var question = rawTarget.IndexOf('?');
        var rawPath = question < 0 ? rawTarget : rawTarget[..question];
        var rawQuery = question < 0 ? "" : rawTarget[(question + 1)..];
        var canonical = CanonicalRequest(request.Method, rawPath, rawQuery, auth.SignedHeaders,
            name => request.Headers.TryGetValue(name, out var values) ? values.Select(v => v ?? "").ToList() : [], payloadHash);
        var expected = Signature(secret, auth.Date, auth.Region, auth.Service, StringToSign(amzDate, auth.Date, auth.Region, auth.Service, canonical));
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(auth.Signature)))
            throw new Ec2Fault("SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
                HttpStatusCode.Forbidden);
        return auth;
    }

    /// <summary>RFC 3986 percent-encoding of the UTF-8 bytes, unreserved characters kept.</summary>
    public static string Encode(string value)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
                builder.Append(c);
            else
                builder.Append(CultureInfo.InvariantCulture, $"%{b:X2}");
        }
        return builder.ToString();
    }

    private static string Normalize(string value)
    {
        var trimmed = value.Trim();
        var builder = new StringBuilder(trimmed.Length);
        foreach (var c in trimmed)
            if (c != ' ' || builder.Length == 0 || builder[^1] != ' ')
                builder.Append(c);
        return builder.ToString();
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();
}
