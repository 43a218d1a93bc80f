using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using SkyServe.Contracts.Routing;

namespace SkyServe.LoadBalancer.Routing;

/// <summary>
/// Services' certificates loaded from the PEM text of their routes, again only when a service's text changes: a route
/// changes with every replica that comes or goes, its certificate rarely. One entry per service, so a replaced
/// certificate does not stay behind.
/// </summary>
public sealed class ServiceCertificates(ILogger<ServiceCertificates> log)
{
    private readonly Dictionary<string, (string Pem, X509Certificate2? Certificate)> byService = new(StringComparer.Ordinal);

    /// <summary>The certificate with its key; null without TLS, or when the PEM does not load (logged: the port then stays closed).</summary>
    public X509Certificate2? For(string service, ServiceTlsView? tls)
    {
        if (tls is null)
            return null;
        var pem = tls.CertificatePem + "\n" + tls.KeyPem;
        lock (byService)
        {
            if (byService.TryGetValue(service, out var known) && known.Pem == pem)
                return known.Certificate;
            X509Certificate2? loaded = null;
            try
            {
                loaded = X509Certificate2.CreateFromPem(tls.CertificatePem, tls.KeyPem);
            }
            catch (CryptographicException e)
            {
                log.CertificateUnreadable(service, e.Message);
            }
            byService[service] = (pem, loaded);
            return loaded;
        }
    }
}
