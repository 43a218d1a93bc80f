using System.Net;
using System.Text.Json.Nodes;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SkyServe.LoadBalancer.Hosting;
using SkyServe.LoadBalancer.LoadBalancing;
using SkyServe.Testing;

namespace SkyServe.LoadBalancer.Tests;

/// <summary>TLS termination from PEM files, per-service API keys, the token on the load balancer's own pages, and what is never forwarded.</summary>
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

    [Fact]
    public async Task The_load_balancers_pages_need_its_token_except_the_plain_health_check()
    {
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.RoundRobin, backend);
        foreach (var page in new[] { "/-/routes", "/-/metrics", "/-/nothing" })
        {
            foreach (var token in new[] { null, "wrong", "" })
            {
                using var refused = await lb.PageAsync(page, token);
                Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
                Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.ToString());
                await AssertErrorAsync(refused, "unauthorized", 401);
            }
        }
        using var routes = await lb.PageAsync("/-/routes");
        Assert.Equal(HttpStatusCode.OK, routes.StatusCode);
        Assert.Contains(backend.Url.TrimEnd('/'), await routes.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await lb.PageAsync("/-/nothing")).StatusCode);

        // The health check tells that the process serves, and nothing else.
        using var health = await lb.PageAsync("/-/health", null);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("""{"status":"ok"}""", await health.Content.ReadAsStringAsync());
        Assert.Equal(0, backend.Hits);
    }

    [Fact]
    public async Task A_load_balancer_without_a_token_refuses_its_pages_to_everyone()
    {
        await using var lb = await RunningLoadBalancer.StartAsync(new LoadBalancerOptions { StaticBackends = [backend.Url] });
        Assert.Equal(HttpStatusCode.Unauthorized, (await lb.PageAsync("/-/routes", "anything")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await lb.PageAsync("/-/routes", "")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await lb.PageAsync("/-/health", null)).StatusCode);
    }

    [Fact]
    public async Task The_agents_own_paths_are_not_forwarded_in_any_spelling()
    {
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.RoundRobin, backend);
        foreach (var path in new[]
                 {
                     "/logs?tail=100000", "/logs?tail=100000&follow=true", "/health", "/metrics", "/ready", "/LOGS", "/health/",
                     "//logs", "/logs/x", "/heal%74h", "/./metrics",
                 })
        {
            using var response = await lb.Client.GetAsync(new Uri(lb.Url + path)); // absolute: "//logs" is no host name
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path}: {response.StatusCode}");
            await AssertErrorAsync(response, "not_found", 404);
        }
        Assert.Empty(backend.Seen);
        // Paths beside them still go through: healthz is not health.
        Assert.StartsWith("a|GET|/healthz", await lb.Client.GetStringAsync("/healthz"));
        Assert.StartsWith("a|GET|/v1/logs", await lb.Client.GetStringAsync("/v1/logs"));
    }

    /// <summary>The load balancer's one error shape: {"error": {"message", "type", "code"}}.</summary>
    internal static async Task AssertErrorAsync(HttpResponseMessage response, string type, int code)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal(type, error["type"]!.GetValue<string>());
        Assert.Equal(code, error["code"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(error["message"]!.GetValue<string>()));
    }
}
