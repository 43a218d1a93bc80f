using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SkyServe.Testing;

/// <summary>
/// PEM files for a dockerd that listens on TCP with <c>--tlsverify</c>, as Docker's guide to protecting the daemon
/// socket makes them: a CA, the daemon's certificate for 127.0.0.1 (and localhost) and a client certificate, each
/// signed by the CA; plus a second, unrelated CA that a client must not trust the daemon by.
/// </summary>
public sealed record DockerTlsFiles(string CaCert, string ServerCert, string ServerKey, string ClientCert, string ClientKey, string OtherCaCert)
{
    public static DockerTlsFiles Write(string directory)
    {
        var notBefore = DateTimeOffset.UtcNow.AddMinutes(-5);
        var notAfter = notBefore.AddDays(1);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var ca = SelfSignedCa("CN=skyserve-test-docker-ca", caKey, notBefore, notAfter);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = SelfSignedCa("CN=skyserve-test-other-ca", otherKey, notBefore, notAfter);

        var files = new DockerTlsFiles(Path.Combine(directory, "ca.pem"), Path.Combine(directory, "server-cert.pem"), Path.Combine(directory, "server-key.pem"),
            Path.Combine(directory, "cert.pem"), Path.Combine(directory, "key.pem"), Path.Combine(directory, "other-ca.pem"));
        File.WriteAllText(files.CaCert, ca.ExportCertificatePem());
        File.WriteAllText(files.OtherCaCert, other.ExportCertificatePem());
        Issue(ca, "CN=127.0.0.1", server: true, notBefore, notAfter, files.ServerCert, files.ServerKey);
        Issue(ca, "CN=skyserve-controller", server: false, notBefore, notAfter, files.ClientCert, files.ClientKey);
        return files;
    }

    private static X509Certificate2 SelfSignedCa(string name, ECDsa key, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    private static void Issue(X509Certificate2 ca, string name, bool server, DateTimeOffset notBefore, DateTimeOffset notAfter, string certFile, string keyFile)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(server ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], critical: false)); // server or client authentication
        if (server)
        {
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(System.Net.IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
        }
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f; // positive
        using var certificate = request.Create(ca, notBefore, notAfter, serial);
        File.WriteAllText(certFile, certificate.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
    }
}
