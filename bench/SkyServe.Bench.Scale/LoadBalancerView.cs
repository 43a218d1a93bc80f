using System.Net.Http.Headers;
using System.Text.Json;

namespace SkyServe.Bench.Scale;

/// <summary>
/// What the load balancer routes to, read from its own page GET /-/routes (with its token): every service it knows and the
/// URLs of the replicas it sends that service's requests to. Names are matched case-insensitively (the page is camelCase
/// today).
/// </summary>
public sealed class LoadBalancerView(Uri baseUrl, string token) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = baseUrl,
        Timeout = TimeSpan.FromSeconds(60),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };

    /// <summary>Service name → the replica URLs in its route.</summary>
    public async Task<Dictionary<string, HashSet<string>>> RoutesAsync(CancellationToken ct)
    {
        await using var stream = await http.GetStreamAsync("/-/routes", ct);
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: ct);
        var routes = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var service in document.RootElement.EnumerateArray())
        {
            var name = Property(service, "name")?.GetString() ?? throw new InvalidOperationException("/-/routes: a service without a name");
            var urls = new HashSet<string>(StringComparer.Ordinal);
            if (Property(service, "replicas") is { ValueKind: JsonValueKind.Array } replicas)
                foreach (var replica in replicas.EnumerateArray())
                    if (Property(replica, "url")?.GetString() is { } url)
                        urls.Add(url);
            routes[name] = urls;
        }
        return routes;
    }

    public async Task<bool> HealthyAsync(CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync("/-/health", ct);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static JsonElement? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                return property.Value;
        return null;
    }

    public void Dispose() => http.Dispose();
}
