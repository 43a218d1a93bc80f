using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using SkyServe.LoadBalancer.Hosting;

namespace SkyServe.LoadBalancer.Routing;

/// <summary>The controller's load-balancer API (GET /api/v1/lb/routes long-poll, POST stats and replica failures).</summary>
public sealed class ControllerClient
{
    internal static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly HttpClient http;

    public ControllerClient(LoadBalancerOptions options)
    {
        http = new HttpClient { BaseAddress = new Uri(options.ControllerUrl!.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60) };
        if (options.ControllerToken is { Length: > 0 } token)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public async Task<RoutesDocument> RoutesAsync(string? since, TimeSpan wait, CancellationToken ct)
    {
        var query = since is null ? "" : $"since={Uri.EscapeDataString(since)}&wait_seconds={wait.TotalSeconds:0}";
        return await http.GetFromJsonAsync<RoutesDocument>($"api/v1/lb/routes?{query}", Json, ct)
            ?? throw new InvalidOperationException("the controller sent an empty routes document");
    }

    public async Task PostStatsAsync(object stats, CancellationToken ct) =>
        (await http.PostAsJsonAsync("api/v1/lb/stats", stats, Json, ct)).EnsureSuccessStatusCode();

    public async Task ReportFailureAsync(string service, string replicaId, string reason, CancellationToken ct) =>
        (await http.PostAsJsonAsync("api/v1/lb/replica-failures", new { service, replica_id = int.Parse(replicaId), reason }, Json, ct))
            .EnsureSuccessStatusCode();
}

public sealed record RoutesDocument(string Etag, IReadOnlyList<RoutedService> Services);

/// <param name="BuiltInEngine">The controller's <c>built_in_engine</c>: forward only the OpenAI paths (false from a controller that predates it).</param>
public sealed record RoutedService(string Name, string LoadBalancingPolicy, int MinReplicas, IReadOnlyList<RoutedReplica> ReadyReplicas, bool BuiltInEngine = false);

public sealed record RoutedReplica(int ReplicaId, string Url, int Version, double Weight)
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Other { get; init; }
}
