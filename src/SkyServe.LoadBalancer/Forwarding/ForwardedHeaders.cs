using Microsoft.AspNetCore.Http;

namespace SkyServe.LoadBalancer.Forwarding;

/// <summary>
/// X-Forwarded-For, -Proto, -Host and -Prefix as YARP's default transformer sets them: this hop's view, replacing
/// whatever the client sent (a client could otherwise claim any address). Every request to a replica gets them, through
/// YARP's forwarder or the resumable path.
/// </summary>
public static class ForwardedHeaders
{
    private const string For = "X-Forwarded-For";
    private const string Proto = "X-Forwarded-Proto";
    private const string Host = "X-Forwarded-Host";
    private const string Prefix = "X-Forwarded-Prefix";

    /// <summary>Replaces the X-Forwarded-* headers <paramref name="message"/> carries (copied from the client) with this hop's.</summary>
    public static void Set(HttpContext context, HttpRequestMessage message)
    {
        var headers = message.Headers;
        foreach (var name in (ReadOnlySpan<string>)[For, Proto, Host, Prefix])
            headers.Remove(name);
        var request = context.Request;
        if (context.Connection.RemoteIpAddress is { } client)
            headers.TryAddWithoutValidation(For, client.ToString());
        headers.TryAddWithoutValidation(Proto, request.Scheme);
        if (request.Host.HasValue)
            headers.TryAddWithoutValidation(Host, request.Host.ToUriComponent());
        if (request.PathBase.HasValue)
            headers.TryAddWithoutValidation(Prefix, request.PathBase.ToUriComponent());
    }
}
