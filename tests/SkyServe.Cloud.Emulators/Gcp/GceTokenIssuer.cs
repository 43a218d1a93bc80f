using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SkyServe.Cloud.Emulators.Gcp;

/// <summary>
/// Google's OAuth 2.0 token endpoint for service accounts (RFC 7523 JWT-bearer grant): the client signs a JWT with the
/// key of its key file; the assertion's signature is checked against the public half registered here, and its issuer,
/// audience, lifetime and scope are checked as Google does. Issued access tokens are what the Compute API accepts.
/// </summary>
internal sealed class GceTokenIssuer(TimeProvider wallClock)
{
    private const string JwtBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    private static readonly string[] AcceptedScopes = ["https://www.googleapis.com/auth/cloud-platform", "https://www.googleapis.com/auth/compute"];

    private static readonly string[] GoogleAudiences =
        ["https://oauth2.googleapis.com/token", "https://www.googleapis.com/oauth2/v4/token", "https://accounts.google.com/o/oauth2/token"];

    private readonly ConcurrentDictionary<string, (string KeyId, RSAParameters PublicKey)> accounts = new();
    private readonly ConcurrentDictionary<string, (string Account, DateTimeOffset Expires)> tokens = new();

    public int Issued => tokens.Count;

    /// <summary>A new service account key, as the JSON key file Google hands out, whose token_uri is this endpoint.</summary>
    public string CreateKey(string project, string email, Uri tokenUri)
    {
        using var rsa = RSA.Create(2048);
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        accounts[email] = (keyId, rsa.ExportParameters(includePrivateParameters: false));
        return new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = project,
            ["private_key_id"] = keyId,
            ["private_key"] = rsa.ExportPkcs8PrivateKeyPem() + "\n",
            ["client_email"] = email,
            ["client_id"] = "1" + string.Concat(RandomNumberGenerator.GetBytes(10).Select(b => (b % 10).ToString(System.Globalization.CultureInfo.InvariantCulture))),
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = tokenUri.ToString(),
            ["auth_provider_x509_cert_url"] = "https://www.googleapis.com/oauth2/v1/certs",
            ["universe_domain"] = "googleapis.com",
        }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public void RevokeAll() => tokens.Clear();

    /// <summary>The service account a bearer token belongs to, or null when the token is unknown or expired.</summary>
    public string? Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
            return null;
        return tokens.TryGetValue(header["Bearer ".Length..].Trim(), out var t) && t.Expires > wallClock.GetUtcNow() ? t.Account : null;
    }

    public async Task HandleAsync(HttpContext context, Uri tokenUri)
    {
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync() : null;
        if (form is null || form["grant_type"] != JwtBearer)
        {
            await RefuseAsync(context, "unsupported_grant_type", "Invalid grant_type: " + form?["grant_type"]);
            return;
        }
        var parts = form["assertion"].ToString().Split('.');
        if (parts.Length != 3)
        {
            await RefuseAsync(context, "invalid_grant", "Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.");
            return;
        }
        JsonObject header, claims;
        try
        {
            header = JsonNode.Parse(Base64Url(parts[0]))!.AsObject();
            claims = JsonNode.Parse(Base64Url(parts[1]))!.AsObject();
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            await RefuseAsync(context, "invalid_grant", "Invalid JWT: could not decode.");
            return;
        }
        var issuer = claims["iss"]?.GetValue<string>() ?? "";
        if (header["alg"]?.GetValue<string>() != "RS256" || !accounts.TryGetValue(issuer, out var account))
        {
            await RefuseAsync(context, "invalid_grant", "Invalid grant: account not found");
            return;
        }
        using var rsa = RSA.Create(account.PublicKey);
        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (!rsa.VerifyData(signed, Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            await RefuseAsync(context, "invalid_grant", "Invalid JWT Signature.");
            return;
        }
        var now = wallClock.GetUtcNow().ToUnixTimeSeconds();
        var issuedAt = claims["iat"]?.GetValue<long>() ?? 0;
        var expires = claims["exp"]?.GetValue<long>() ?? 0;
        // Google's client libraries sign for Google's token URL wherever token_uri points; Google accepts its own URLs.
        var audience = claims["aud"]?.GetValue<string>();
        if (audience is null || !(GoogleAudiences.Contains(audience) || audience == tokenUri.ToString()))
        {
            await RefuseAsync(context, "invalid_grant", $"Invalid JWT: audience '{audience}' is not this token endpoint.");
            return;
        }
        if (issuedAt > now + 300 || expires < now || expires - issuedAt > 3600)
        {
            await RefuseAsync(context, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.");
            return;
        }
        var scopes = (claims["scope"]?.GetValue<string>() ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!scopes.Intersect(AcceptedScopes).Any())
        {
            await RefuseAsync(context, "invalid_scope", "Invalid OAuth scope or ID token audience provided.");
            return;
        }
        var token = "ya29.emulated-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        tokens[token] = (issuer, wallClock.GetUtcNow().AddHours(1));
        await context.Response.WriteAsJsonAsync(new { access_token = token, expires_in = 3599, token_type = "Bearer" });
    }

    private static async Task RefuseAsync(HttpContext context, string error, string description)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        await context.Response.WriteAsJsonAsync(new { error, error_description = description });
    }

    private static byte[] Base64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
