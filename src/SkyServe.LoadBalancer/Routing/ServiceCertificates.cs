using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using SkyServe.Contracts.Routing;

namespace SkyServe.LoadBalancer.Routing;

/// <summary>
/// Services' certificates loaded from the PEM text of their routes, once per distinct text: a route changes with every
/// replica that comes or goes, its certificate rarely.
/// </summary>
public sealed class ServiceCertificates(ILogger<ServiceCertificates> log)
{
    private readonly Dictionary<string, X509Certificate2?> byPem = new(StringComparer.Ordinal);

    /// <summary>The certificate with its key; null without TLS, or when the PEM does not load (logged: the port then stays closed).</summary>
    public X509Certificate2? For(string service, ServiceTlsView? tls)
    {
        if (tls is null)
            return null;
        var key = tls.CertificatePem + "\n" + tls.KeyPem;
        lock (byPem)
        {
            if (byPem.TryGetValue(key, out var known))
                return known;
            X509Certificate2? loaded = null;
            try
            {
                loaded = X509Certificate2.CreateFromPem(tls.CertificatePem, tls.KeyPem);
            }
            catch (CryptographicException e)
            {
                log.CertificateUnreadable(service, e.Message);
            }
            byPem[key] = loaded;
            return loaded;
        }
    }
}
