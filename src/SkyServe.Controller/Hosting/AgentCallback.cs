using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace SkyServe.Controller.Hosting;

/// <summary>
/// What a replica's agent is told so that it can report its interruption notice straight to the controller:
/// the controller's URL and a token that is good for that one replica's notices only.
/// The token is <see cref="ScopedTokens.AgentTokenFor"/>: its launch token finds the replica whatever id the
/// provider gave its machine (a provider set qualifies them).
/// </summary>
public sealed class AgentCallback(IOptions<ControllerOptions> options, IServer server, ScopedTokens tokens)
{
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

    /// <summary>The token the replica's agent is given: good for that replica's notices only.</summary>
    public string TokenFor(Guid launchToken) => tokens.AgentTokenFor(launchToken);
}
