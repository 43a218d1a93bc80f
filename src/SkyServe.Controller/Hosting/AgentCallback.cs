using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace SkyServe.Controller.Hosting;

/// <summary>
/// What a replica's agent is told so that it can report its interruption notice straight to the controller:
/// the controller's URL and a token that is good for that one replica's notices only.
/// <para>
/// The token is the replica's launch token with an HMAC-SHA256 of it keyed with the API token: nothing to store,
/// the same on every controller that shares the API token, and a machine never holds the owner's API token. The
/// launch token finds the replica whatever id the provider gave its machine (a provider set qualifies them). Any
/// other use of the API refuses it.
/// </para>
/// </summary>
public sealed class AgentCallback(IOptions<ControllerOptions> options, IServer server)
{
    private readonly byte[] key = Encoding.UTF8.GetBytes(options.Value.ApiToken
        ?? throw new InvalidOperationException("the API token must be resolved before the host starts"));

    /// <summary>
    /// <see cref="ControllerOptions.AgentControllerUrl"/>, else the address this controller listens on (with a
    /// wildcard host made loopback, right for the local runtime); null until the listening port is known.
    /// </summary>
    public string? ControllerUrl
    {
        get
        {
            if (options.Value.AgentControllerUrl is { Length: > 0 } configured)
                return configured.TrimEnd('/');
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
            {
                // Before Kestrel binds, the list holds the configured URL, whose port may still be 0.
                if (!Uri.TryCreate(address.Replace("://+", "://0.0.0.0").Replace("://*", "://0.0.0.0"), UriKind.Absolute, out var url) || url.Port == 0)
                    continue;
                var host = url.Host is "0.0.0.0" or "[::]" or "::" ? "127.0.0.1" : url.Host;
                return new UriBuilder(url) { Host = host }.Uri.GetLeftPart(UriPartial.Authority);
            }
            return null;
        }
    }

    /// <summary><c>ska_{launch token}_{HMAC}</c>: the launch token names the replica, the HMAC proves the controller issued it.</summary>
    public string TokenFor(Guid launchToken) => $"{Prefix}{launchToken:N}_{Signature(launchToken)}";

    /// <summary>The replica's launch token, when <paramref name="presented"/> is a token this controller issued.</summary>
    public bool TryReadToken(string presented, out Guid launchToken)
    {
        launchToken = Guid.Empty;
        var parts = presented.StartsWith(Prefix, StringComparison.Ordinal) ? presented[Prefix.Length..].Split('_') : [];
        if (parts.Length != 2 || !Guid.TryParseExact(parts[0], "N", out var candidate))
            return false;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(parts[1]), Encoding.UTF8.GetBytes(Signature(candidate))))
            return false;
        launchToken = candidate;
        return true;
    }

    public bool IsApiToken(string presented) => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), key);

    private const string Prefix = "ska_";

    private string Signature(Guid launchToken) =>
        Convert.ToHexString(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"skyserve-agent-notices:{launchToken:N}"))).ToLowerInvariant();
}
