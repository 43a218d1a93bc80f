using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using SkyServe.LoadBalancer.Routing;
using SkyServe.LoadBalancer.Stats;

namespace SkyServe.LoadBalancer.Hosting;

/// <summary>
/// The load balancer's own pages under /-/ (so that they never shadow a replica's paths). /-/health says only
/// that the process serves and is open to anyone; the others show replica URLs and traffic, so they need the
/// token the load balancer holds for the controller, as "Authorization: Bearer TOKEN". A load balancer given no
/// token (static mode without --token) refuses them.
/// </summary>
public sealed class OwnPages(LoadBalancerOptions options, StatsRegistry stats, RouteTable routes)
{
    public const string Prefix = "/-";
    public const string HealthPath = "/-/health";

    private readonly byte[]? token = options.ControllerToken is { Length: > 0 } t ? Encoding.UTF8.GetBytes(t) : null;

    public Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (path == HealthPath)
            return context.Response.WriteAsJsonAsync(new { status = "ok" });
        if (!HasToken(context.Request))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return ErrorAsync(context, StatusCodes.Status401Unauthorized, "unauthorized",
                "the load balancer's pages need its token as 'Authorization: Bearer <token>'");
        }
        switch (path)
        {
            case "/-/metrics":
                context.Response.ContentType = Core.Metrics.PrometheusText.ContentType;
                return context.Response.WriteAsync(LoadBalancerMetricsPage.Render(stats, routes));
            case "/-/routes":
                return context.Response.WriteAsJsonAsync(routes.Routes.Values.Select(r => new
                {
                    r.Name, r.Policy, r.ScaleToZero, r.BuiltInEngine,
                    Replicas = r.Replicas.Select(x => new { x.Id, x.Url, x.Version, x.Weight, InFlight = x.Destination.ConcurrentRequestCount }),
                }));
            default:
                return ErrorAsync(context, StatusCodes.Status404NotFound, "not_found", "no such page");
        }
    }

    private bool HasToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return token is not null && header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()), token);
    }

    /// <summary>The same JSON error shape as the proxy's (<see cref="Forwarding.ProxyHandler"/>).</summary>
    private static Task ErrorAsync(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new { error = new { message, type, code = status } });
    }
}
