using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace SkyServe.Cloud.Emulators.Azure;

/// <summary>
/// Microsoft Entra ID's v2.0 token endpoint for a confidential client (client-credentials grant with a client secret), with
/// the instance-discovery and OpenID metadata documents MSAL may read first. Tokens are issued for ARM's .default scope only.
/// </summary>
internal sealed class EntraTokenIssuer(string tenantId, TimeProvider wallClock)
{
    public const string ArmScope = "https://management.azure.com/.default";

    private readonly ConcurrentDictionary<string, string> secrets = new();
    private readonly ConcurrentDictionary<string, (string Client, DateTimeOffset Expires)> tokens = new();

    public int Issued => tokens.Count;

    public void Register(string clientId, string secret) => secrets[clientId] = secret;

    public void RevokeAll() => tokens.Clear();

    /// <summary>A token that is accepted without the OAuth dance (for tests that hand the SDK a fixed TokenCredential).</summary>
    public string IssueDirectly(string clientId)
    {
        var token = NewToken();
        tokens[token] = (clientId, wallClock.GetUtcNow().AddHours(1));
        return token;
    }

    /// <summary>The client a bearer token was issued to, or null when the token is unknown or expired.</summary>
    public string? Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
            return null;
        return tokens.TryGetValue(header["Bearer ".Length..].Trim(), out var t) && t.Expires > wallClock.GetUtcNow() ? t.Client : null;
    }

    public Task DiscoveryAsync(HttpContext context, Uri root) => context.Response.WriteAsync(new JsonObject
    {
        ["tenant_discovery_endpoint"] = $"{root}{tenantId}/v2.0/.well-known/openid-configuration",
        ["api-version"] = "1.1",
        ["metadata"] = new JsonArray(new JsonObject
        {
            ["preferred_network"] = root.Authority,
            ["preferred_cache"] = root.Authority,
            ["aliases"] = new JsonArray(root.Authority),
        }),
    }.ToJsonString());

    public Task OpenIdConfigurationAsync(HttpContext context, Uri root) => context.Response.WriteAsync(new JsonObject
    {
        ["token_endpoint"] = $"{root}{tenantId}/oauth2/v2.0/token",
        ["authorization_endpoint"] = $"{root}{tenantId}/oauth2/v2.0/authorize",
        ["issuer"] = $"{root}{tenantId}/v2.0",
        ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "private_key_jwt", "client_secret_basic"),
        ["response_types_supported"] = new JsonArray("code", "id_token", "code id_token", "id_token token"),
        ["scopes_supported"] = new JsonArray("openid", "profile", "email", "offline_access"),
    }.ToJsonString());

    public async Task TokenAsync(HttpContext context)
    {
        var tenant = (string)context.Request.RouteValues["tenant"]!;
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync() : null;
        if (tenant != tenantId)
        {
            await RefuseAsync(context, 400, "invalid_request", 90002, $"AADSTS90002: Tenant '{tenant}' not found.");
            return;
        }
        if (form is null || form["grant_type"] != "client_credentials")
        {
            await RefuseAsync(context, 400, "unsupported_grant_type", 70003, "AADSTS70003: The app requested an unsupported grant type.");
            return;
        }
        var clientId = form["client_id"].ToString();
        if (!secrets.TryGetValue(clientId, out var secret))
        {
            await RefuseAsync(context, 400, "unauthorized_client", 700016, $"AADSTS700016: Application with identifier '{clientId}' was not found in the directory.");
            return;
        }
        if (form["client_secret"] != secret)
        {
            await RefuseAsync(context, 401, "invalid_client", 7000215, "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.");
            return;
        }
        if (form["scope"] != ArmScope)
        {
            await RefuseAsync(context, 400, "invalid_scope", 70011, $"AADSTS70011: The provided value for the input parameter 'scope' is not valid: {form["scope"]}.");
            return;
        }
        var token = NewToken();
        tokens[token] = (clientId, wallClock.GetUtcNow().AddHours(1));
        await context.Response.WriteAsJsonAsync(new { token_type = "Bearer", expires_in = 3599, ext_expires_in = 3599, access_token = token });
    }

    private static string NewToken() => "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.emulated." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    private static async Task RefuseAsync(HttpContext context, int status, string error, int code, string description)
    {
        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
        {
            ["error"] = error,
            ["error_description"] = description,
            ["error_codes"] = new[] { code },
            ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            ["trace_id"] = Guid.NewGuid().ToString(),
            ["correlation_id"] = Guid.NewGuid().ToString(),
        });
    }
}
