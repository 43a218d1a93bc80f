using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SkyServe.LoadBalancer.Hosting;
using SkyServe.LoadBalancer.LoadBalancing;
using SkyServe.Testing;

namespace SkyServe.LoadBalancer.Tests;

/// <summary>TLS termination from PEM files, and per-service API keys.</summary>
public sealed class SecurityTests : IAsyncLifetime
{
    private readonly TempDirectory dir = new();
    private Backend backend = null!;

    public async Task InitializeAsync() => backend = await Backend.StartAsync("a");

    public async Task DisposeAsync()
    {
        await backend.DisposeAsync();
        dir.Dispose();
    }

    [Fact]
    public async Task Tls_is_terminated_with_the_given_certificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=chat.localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certFile = Path.Combine(dir.Path, "cert.pem");
        var keyFile = Path.Combine(dir.Path, "key.pem");
        await File.WriteAllTextAsync(certFile, cert.ExportCertificatePem());
        await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem());

        var app = LoadBalancerHost.Build(new LoadBalancerOptions
        {
            Listen = "https://127.0.0.1:0", StaticBackends = [backend.Url], TlsCertFile = certFile, TlsKeyFile = keyFile,
        });
        await app.StartAsync();
        try
        {
            var url = LoadBalancerHost.BoundAddress(app);
            Assert.Equal("https", url.Scheme);
            X509Certificate2? presented = null;
            using var client = new HttpClient(new HttpClientHandler
            {
                ServerCertificateCustomValidationCallback = (_, c, _, _) => { presented = c is null ? null : new X509Certificate2(c); return true; },
            });
            Assert.StartsWith("a|GET|/x", await client.GetStringAsync(new Uri(url, "/x")));
            Assert.Equal(cert.Thumbprint, presented?.Thumbprint);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_service_with_an_api_key_refuses_requests_without_it()
    {
        await using var lb = await RunningLoadBalancer.StartAsync(new LoadBalancerOptions
        {
            StaticBackends = [backend.Url], StaticPolicy = PolicyNames.RoundRobin,
            ApiKeys = new Dictionary<string, string> { ["static"] = "sk-secret" },
        });
        Assert.Equal(HttpStatusCode.Unauthorized, (await lb.Client.GetAsync("/x")).StatusCode);
        using var withKey = new HttpRequestMessage(HttpMethod.Get, "/x");
        withKey.Headers.Authorization = new("Bearer", "sk-secret");
        Assert.Equal(HttpStatusCode.OK, (await lb.Client.SendAsync(withKey)).StatusCode);
        Assert.Equal(1, backend.Hits);
    }
}
