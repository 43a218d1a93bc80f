using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace SkyServe.Controller.Hosting;

/// <summary>
/// The controller's three kinds of credential. The admin (API) token does everything. From it two narrower tokens are
/// derived, so that nothing has to be stored and every controller sharing the API token accepts the same ones:
/// <list type="bullet">
/// <item>the load balancer's (<c>skl_…</c>): reads routes and posts traffic and replica failures, nothing else;</item>
/// <item>each agent's (<c>ska_{launch token}_{HMAC}</c>): posts interruption notices for its own replica only.</item>
/// </list>
/// A machine or a load balancer host therefore never holds the owner's API token.
/// </summary>
public sealed class ScopedTokens(IOptions<ControllerOptions> options)
{
    private const string AgentPrefix = "ska_";
    private const string LoadBalancerPrefix = "skl_";

    private readonly byte[] key = Encoding.UTF8.GetBytes(options.Value.ApiToken
        ?? throw new InvalidOperationException("the API token must be resolved before the host starts"));

    public bool IsAdmin(string presented) => SameText(presented, options.Value.ApiToken!);

    /// <summary>The token to give a load balancer.</summary>
    public string LoadBalancer => LoadBalancerPrefix + Sign("skyserve-load-balancer");

    public bool IsLoadBalancer(string presented) => SameText(presented, LoadBalancer);

    /// <summary>The token to give the agent of the replica launched with <paramref name="launchToken"/>.</summary>
    public string AgentTokenFor(Guid launchToken) => $"{AgentPrefix}{launchToken:N}_{AgentSignature(launchToken)}";

    /// <summary>The replica's launch token, when <paramref name="presented"/> is an agent token this controller issued.</summary>
    public bool TryReadAgentToken(string presented, out Guid launchToken)
    {
        launchToken = Guid.Empty;
        var parts = presented.StartsWith(AgentPrefix, StringComparison.Ordinal) ? presented[AgentPrefix.Length..].Split('_') : [];
        if (parts.Length != 2 || !Guid.TryParseExact(parts[0], "N", out var candidate) || !SameText(parts[1], AgentSignature(candidate)))
            return false;
        launchToken = candidate;
        return true;
    }

    /// <summary>The bearer token of a request, if it carries one.</summary>
    public static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && header[scheme.Length..].Trim() is { Length: > 0 } token
            ? token : null;
    }

    private string AgentSignature(Guid launchToken) => Sign($"skyserve-agent-notices:{launchToken:N}");

    private string Sign(string purpose) => Convert.ToHexString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(purpose))).ToLowerInvariant();

    private static bool SameText(string a, string b) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
