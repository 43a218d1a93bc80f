using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Persistence;
using SkyServe.Controller.Reconcile;
using SkyServe.Controller.Routing;
using SkyServe.Core.Domain;
using SkyServe.LoadBalancer.Hosting;
using SkyServe.Testing;

namespace SkyServe.LoadBalancer.Tests;

/// <summary>
/// Services' own endpoint ports (SkyPilot's http://HOST:PORT per service) and their <c>service.tls</c>: a real controller
/// gives each service a port and hands the load balancer its certificate; the load balancer listens there with HTTPS.
/// </summary>
public sealed class ServicePortTests : IAsyncLifetime
{
    private readonly TempDirectory data = new();
    private WebApplication controller = null!;
    private HttpClient api = null!;
    private string controllerUrl = "";
    private string token = "";
    private int firstPort;
    private Backend backend = null!;

    public async Task InitializeAsync()
    {
        firstPort = FreePortPair();
        var options = new ControllerOptions
        {
            DataDirectory = data.Path, Urls = "http://127.0.0.1:0", Reconcile = new ReconcileOptions { Enabled = false },
            Routing = new RoutingOptions { FirstServicePort = firstPort, LastServicePort = firstPort + 1 },
        };
        controller = await ControllerHost.BuildAsync(options);
        await controller.StartAsync();
        controllerUrl = controller.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        token = options.ApiToken!;
        api = new HttpClient { BaseAddress = new Uri(controllerUrl) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        backend = await Backend.StartAsync("a");
    }

    public async Task DisposeAsync()
    {
        await backend.DisposeAsync();
        api.Dispose();
        await controller.StopAsync();
        await controller.DisposeAsync();
        data.Dispose();
    }

    [Fact]
    public async Task Each_service_is_served_on_its_own_port_and_a_tls_spec_gets_https_there()
    {
        using var certificate = SelfSigned("chat.example");
        await CreateAsync("plain", tls: null);
        await CreateAsync("chat", certificate);
        await AddReadyReplicaAsync("plain");
        await AddReadyReplicaAsync("chat");
        Assert.Equal([firstPort, firstPort + 1], await PortsAsync("plain", "chat"));

        await using var lb = await RunningLoadBalancer.StartAsync(new LoadBalancerOptions
        {
            ControllerUrl = controllerUrl, ControllerToken = token, ServicePorts = true, StatsInterval = TimeSpan.FromMilliseconds(200),
        });
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{firstPort}") };
        Assert.StartsWith("a|GET|/v1/models", await EventuallyAsync(() => plain.GetStringAsync("/v1/models")));

        using var trusting = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString() },
        }) { BaseAddress = new Uri($"https://127.0.0.1:{firstPort + 1}") };
        Assert.StartsWith("a|GET|/v1/models", await EventuallyAsync(() => trusting.GetStringAsync("/v1/models")));

        // The TLS port speaks only TLS; the shared port still routes both by path.
        using var plaintextToTls = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{firstPort + 1}") };
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => plaintextToTls.GetStringAsync("/v1/models"));
        Assert.StartsWith("a|", await lb.Client.GetStringAsync("/chat/x"));

        // The endpoints the load balancer reports are the services' own: what `status --endpoint` prints.
        var endpoints = await EventuallyAsync(async () =>
        {
            var chat = await ServiceJsonAsync("chat");
            return chat.GetProperty("endpoint").GetString() is { } endpoint ? endpoint : throw new InvalidOperationException("no endpoint yet");
        });
        Assert.Equal($"https://localhost:{firstPort + 1}", endpoints);

        // A deleted service's port closes.
        (await api.DeleteAsync("/api/v1/services/plain?purge=true")).EnsureSuccessStatusCode();
        await EventuallyAsync(async () =>
        {
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(IPAddress.Loopback, firstPort);
            }
            catch (SocketException)
            {
                return true;
            }
            throw new InvalidOperationException("the deleted service's port still accepts connections");
        });
    }

    [Fact]
    public async Task A_service_port_another_process_holds_leaves_the_shared_port_and_the_other_services_serving()
    {
        await CreateAsync("first", tls: null);
        await CreateAsync("second", tls: null);
        await AddReadyReplicaAsync("first");
        await AddReadyReplicaAsync("second");
        using var squatter = new TcpListener(IPAddress.Loopback, firstPort);
        squatter.Start();

        await using var lb = await RunningLoadBalancer.StartAsync(new LoadBalancerOptions { ControllerUrl = controllerUrl, ControllerToken = token, ServicePorts = true });
        using var second = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{firstPort + 1}") };
        Assert.StartsWith("a|GET|/v1/models", await EventuallyAsync(() => second.GetStringAsync("/v1/models")));
        Assert.StartsWith("a|", await lb.Client.GetStringAsync("/first/x"));
    }

    [Fact]
    public async Task A_tls_spec_without_its_files_or_with_files_that_are_not_a_certificate_is_refused()
    {
        var spec = "service:\n  readiness_probe: /ready\n  replicas: 1\n  ports: 8080\n  tls: {keyfile: k.pem, certfile: c.pem}\n";
        var bare = await api.PostAsync("/api/v1/services?name=bare", new StringContent(spec, Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.Contains("skyserve up", await bare.Content.ReadAsStringAsync());

        var notPem = await UploadAsync("not a certificate");
        var bad = await SubmitAsync("bad", spec, notPem, notPem);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("not a PEM certificate", await bad.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/v1/services/bad")).StatusCode);
    }

    private async Task CreateAsync(string name, X509Certificate2? tls)
    {
        var spec = $"service:\n  readiness_probe: /ready\n  replicas: 1\n  ports: 8080\n{(tls is null ? "" : "  tls: {keyfile: key.pem, certfile: cert.pem}\n")}";
        var response = tls is null
            ? await api.PostAsync($"/api/v1/services?name={name}", new StringContent(spec, Encoding.UTF8, "application/yaml"))
            : await SubmitAsync(name, spec, await UploadAsync(tls.ExportCertificatePem()), await UploadAsync(tls.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem()));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> SubmitAsync(string name, string spec, string certfile, string keyfile)
    {
        var body = JsonSerializer.Serialize(new { spec, uploads = new { tls = new { certfile, keyfile } } });
        return api.PostAsync($"/api/v1/services?name={name}", new StringContent(body, Encoding.UTF8, "application/vnd.skyserve.submission+json"));
    }

    /// <summary>Stores a file as the CLI's upload would, straight into the blobs table.</summary>
    private Task<string> UploadAsync(string text) => WriteAsync(async db =>
    {
        var content = Encoding.UTF8.GetBytes(text);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content));
        if (!await db.Blobs.AnyAsync(b => b.Digest == digest))
        {
            db.Blobs.Add(new BlobRecord { Digest = digest, Size = content.Length, Content = content, CreatedAt = DateTime.UtcNow });
            await db.SaveChangesAsync();
        }
        return digest;
    });

    private Task<int> AddReadyReplicaAsync(string service) => WriteAsync(async db =>
    {
        var owner = await db.Services.SingleAsync(s => s.Name == service);
        var now = DateTime.UtcNow;
        db.Replicas.Add(new ReplicaRecord
        {
            ServiceId = owner.Id, ReplicaId = owner.NextReplicaId++, Version = 1, Status = ReplicaStatus.READY, Cloud = "local", Region = "local",
            Zone = "local-a", LaunchToken = Guid.NewGuid(), Endpoint = backend.Url, InstanceId = $"m-{service}", CreatedAt = now, StatusChangedAt = now,
        });
        await db.SaveChangesAsync();
        return 0;
    });

    private Task<int?[]> PortsAsync(params string[] names) => WriteAsync(async db =>
    {
        var ports = await db.Services.Where(s => names.Contains(s.Name)).ToDictionaryAsync(s => s.Name, s => s.EndpointPort);
        return names.Select(name => ports[name]).ToArray();
    });

    private async Task<JsonElement> ServiceJsonAsync(string name) =>
        JsonDocument.Parse(await api.GetStringAsync($"/api/v1/services/{name}")).RootElement;

    private async Task<T> WriteAsync<T>(Func<ControllerDb, Task<T>> write)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = controller.Services.CreateAsyncScope();
            try
            {
                return await write(scope.ServiceProvider.GetRequiredService<ControllerDb>());
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
            }
        }
    }

    /// <summary>The value once <paramref name="attempt"/> stops failing: the load balancer binds ports as routes arrive.</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> attempt)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private static X509Certificate2 SelfSigned(string host)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={host}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(host);
        request.CertificateExtensions.Add(names.Build());
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return certificate;
    }

    /// <summary>Two consecutive ports free now, for the controller's range of service ports.</summary>
    private static int FreePortPair()
    {
        while (true)
        {
            using var first = new TcpListener(IPAddress.Loopback, 0);
            first.Start();
            var port = ((IPEndPoint)first.LocalEndpoint).Port;
            if (port >= 65535)
                continue;
            try
            {
                using var second = new TcpListener(IPAddress.Loopback, port + 1);
                second.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }
    }
}
