using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace SkyServe.LoadBalancer.Forwarding;

/// <summary>A service's API key, as OpenAI clients send it ("Authorization: Bearer KEY") or as x-api-key.</summary>
public static class ApiKeyCheck
{
    public static bool Allows(HttpRequest request, string key)
    {
        var authorization = request.Headers.Authorization.ToString();
        var given = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization[7..].Trim()
            : request.Headers["x-api-key"].ToString();
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(key));
    }
}
