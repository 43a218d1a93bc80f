using Microsoft.AspNetCore.Http;
using SkyServe.LoadBalancer.Hosting;

namespace SkyServe.LoadBalancer.Routing;

/// <summary>Which service a request is for: the static service, the service of the port it came to, the host name's first label, or the first path segment.</summary>
public sealed class ServiceSelector(LoadBalancerOptions options, RouteTable table, ServicePortListeners listeners)
{
    public const string StaticService = "static";

    public string? Select(HttpContext context)
    {
        if (options.StaticBackends.Count > 0)
            return StaticService;
        if (listeners.ServiceOn(context.Connection.LocalPort) is { } ownPort)
            return ownPort;
        var host = context.Request.Host.Host;
        var suffix = "." + options.Domain;
        if (host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && host.Length > suffix.Length)
            return host[..^suffix.Length].ToLowerInvariant();
        if (options.PathPrefixRouting && FirstSegment(context.Request.Path) is { } name && table.Find(name) is not null)
        {
            // /chat/v1/models reaches the replica as /v1/models.
            context.Request.PathBase = context.Request.PathBase.Add("/" + name);
            context.Request.Path = context.Request.Path.Value![(name.Length + 1)..] is { Length: > 0 } rest ? rest : "/";
            return name;
        }
        return null;
    }

    private static string? FirstSegment(PathString path)
    {
        var value = path.Value;
        if (string.IsNullOrEmpty(value) || value.Length < 2)
            return null;
        var end = value.IndexOf('/', 1);
        return end < 0 ? value[1..] : value[1..end];
    }
}
