using System.Net.Http.Headers;
using System.Net.Http.Json;
using SkyServe.Contracts;
using SkyServe.Contracts.Routing;
using SkyServe.LoadBalancer.Hosting;

namespace SkyServe.LoadBalancer.Routing;

/// <summary>The controller's load-balancer API (GET /api/v1/lb/routes long-poll, POST stats and replica failures).</summary>
public sealed class ControllerClient
{
    private readonly HttpClient http;

    public ControllerClient(LoadBalancerOptions options)
    {
        http = new HttpClient { BaseAddress = new Uri(options.ControllerUrl!.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60) };
        if (options.ControllerToken is { Length: > 0 } token)
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    /// <param name="since">The revision of the last answer applied: the controller answers the changes after it (null: the whole table).</param>
    public async Task<RoutesView> RoutesAsync(string? since, TimeSpan wait, CancellationToken ct)
    {
        var query = since is null ? "" : $"since={Uri.EscapeDataString(since)}&wait_seconds={wait.TotalSeconds:0}";
        return await http.GetFromJsonAsync<RoutesView>($"{LoadBalancerApi.Routes}?{query}", ContractJson.Options, ct)
            ?? throw new InvalidOperationException("the controller sent an empty routes document");
    }

    public async Task PostStatsAsync(LoadBalancerStats stats, CancellationToken ct) =>
        (await http.PostAsJsonAsync(LoadBalancerApi.Stats, stats, ContractJson.Options, ct)).EnsureSuccessStatusCode();

    public async Task ReportFailureAsync(ReplicaFailureReport failure, CancellationToken ct) =>
        (await http.PostAsJsonAsync(LoadBalancerApi.ReplicaFailures, failure, ContractJson.Options, ct)).EnsureSuccessStatusCode();
}
