using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using SkyServe.LoadBalancer.Routing;

namespace SkyServe.LoadBalancer.Hosting;

/// <summary>
/// The listeners of services' own endpoint ports (SkyPilot's one port per service), beside the shared one: which service
/// a port serves, and with which certificate when its spec has <c>service.tls</c>. Without <see cref="LoadBalancerOptions.ServicePorts"/>
/// only the shared listener exists.
/// </summary>
public sealed class ServicePortListeners
{
    private const string SharedEndpoint = "shared";
    private readonly LoadBalancerOptions options;
    private readonly KestrelEndpointSource endpoints = new();
    private readonly X509Certificate2? sharedCertificate;
    private volatile IReadOnlyDictionary<int, ServiceRoute> byPort = new Dictionary<int, ServiceRoute>();

    public ServicePortListeners(LoadBalancerOptions options)
    {
        this.options = options;
        Configuration = new ConfigurationBuilder().Add(endpoints).Build();
        endpoints.Replace(new Dictionary<string, string> { [SharedEndpoint] = options.Listen });
        if (options.TlsCertFile is not null)
            sharedCertificate = X509Certificate2.CreateFromPemFile(options.TlsCertFile, options.TlsKeyFile);
    }

    /// <summary>What Kestrel binds: the shared listener and every service port.</summary>
    public IConfiguration Configuration { get; }

    public bool HasHttps => sharedCertificate is not null || options.ServicePorts;

    /// <summary>The service a connection to <paramref name="localPort"/> is for; null on the shared port.</summary>
    public string? ServiceOn(int localPort) => byPort.TryGetValue(localPort, out var route) ? route.Name : null;

    /// <summary>Kestrel's certificate selector: the service's own on its port, else the shared listener's.</summary>
    public X509Certificate2? CertificateFor(EndPoint? local) =>
        local is IPEndPoint { Port: var port } && byPort.TryGetValue(port, out var route) && route.Certificate is { } certificate
            ? certificate
            : sharedCertificate;

    /// <summary>The service's endpoint on its own port, when this load balancer listens there; else null.</summary>
    public string? EndpointFor(string service)
    {
        var route = byPort.Values.FirstOrDefault(r => r.Name == service);
        return route is null ? null : $"{(route.Certificate is null ? "http" : "https")}://{options.Domain}:{route.EndpointPort}";
    }

    /// <summary>Listens on the ports of <paramref name="routes"/> and stops listening on the others.</summary>
    public void Sync(IReadOnlyDictionary<string, ServiceRoute> routes)
    {
        if (!options.ServicePorts)
            return;
        var next = new Dictionary<int, ServiceRoute>();
        foreach (var route in routes.Values.Where(r => r.EndpointPort is not null).OrderBy(r => r.Name, StringComparer.Ordinal))
            next.TryAdd(route.EndpointPort!.Value, route); // two services never share a port; if a stale table says so, the first keeps it
        byPort = next;
        var urls = new Dictionary<string, string> { [SharedEndpoint] = options.Listen };
        foreach (var (port, route) in next)
            urls[$"service-{port}"] = UrlOnPort(route.Certificate is null ? "http" : "https", port);
        endpoints.Replace(urls);
    }

    /// <summary>The shared listener's address with another scheme and port: services' ports listen where the shared one does.</summary>
    private string UrlOnPort(string scheme, int port)
    {
        var listen = options.Listen;
        var afterScheme = listen.IndexOf("://", StringComparison.Ordinal) + 3;
        var lastColon = listen.LastIndexOf(':');
        var host = lastColon > afterScheme ? listen[afterScheme..lastColon] : listen[afterScheme..].TrimEnd('/');
        return $"{scheme}://{host}:{port}";
    }
}
