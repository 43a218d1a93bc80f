using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Controller.Hosting;
using SkyServe.Controller.Reconcile;
using SkyServe.Core.Catalog;
using SkyServe.Providers;
using SkyServe.Providers.Local;
using SkyServe.Testing;

namespace SkyServe.Integration.Tests;

/// <summary>
/// The whole control plane on this machine: a controller on a real Kestrel port over SQLite, driving the
/// local runtime whose zones the test defines (scripted capacity or replayed traces) and whose replicas
/// are real agent processes. Everything is torn down on dispose, machines included.
/// </summary>
public sealed class LocalSystem : IAsyncDisposable
{
    public static readonly CloudCatalog LocalCatalog = CatalogLoader.LoadDirectory(Path.Combine(RepoPaths.Config, "catalog")).Local;

    private readonly WebApplication app;
    private readonly TempDirectory data;

    private LocalSystem(WebApplication app, TempDirectory data, LocalCloudProvider provider, string url, string token)
    {
        this.app = app;
        this.data = data;
        Provider = provider;
        Url = url;
        Token = token;
        Client = new HttpClient { BaseAddress = new Uri(url) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public HttpClient Client { get; }
    /// <summary>The controller's address (its dashboard is at /).</summary>
    public string Url { get; }
    public string Token { get; }
    public LocalCloudProvider Provider { get; }
    public IServiceProvider Services => app.Services;

    public static async Task<LocalSystem> StartAsync(
        IReadOnlyList<(string Infra, ISpotCapacity Capacity)> zones,
        Func<LocalProviderOptions, LocalProviderOptions>? provider = null,
        Func<ReconcileOptions, ReconcileOptions>? reconcile = null,
        Func<ICloudProvider, ICloudProvider>? wrap = null)
    {
        var data = new TempDirectory();
        var providerOptions = new LocalProviderOptions
        {
            StateDirectory = Path.Combine(data.Path, "local"),
            ProvisioningDelay = TimeSpan.FromMilliseconds(200),
            MarketInterval = TimeSpan.FromMilliseconds(100),
            GracefulStopTimeout = TimeSpan.FromSeconds(5),
        };
        var local = await LocalCloudProvider.StartAsync(provider?.Invoke(providerOptions) ?? providerOptions,
            LocalZonesLoader.BuildMarket(zones, LocalCatalog));
        var options = new ControllerOptions
        {
            DataDirectory = data.Path,
            Urls = "http://127.0.0.1:0",
            Reconcile = reconcile?.Invoke(Fast) ?? Fast,
        };
        var app = await ControllerHost.BuildAsync(options, provider: wrap?.Invoke(local) ?? local);
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalSystem(app, data, local, url, options.ApiToken!);
    }

    /// <summary>Passes four times a second, so that compressed traces stay meaningful.</summary>
    private static readonly ReconcileOptions Fast = new()
    {
        Interval = TimeSpan.FromMilliseconds(250),
        NotReadyGrace = TimeSpan.FromSeconds(5),
        LaunchBackoff = TimeSpan.FromMilliseconds(250),
        MaxLaunchBackoff = TimeSpan.FromSeconds(2),
    };

    public async Task CreateAsync(string name, string spec)
    {
        var response = await Client.PostAsync($"/api/v1/services?name={name}", new StringContent(spec, Encoding.UTF8, "application/yaml"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task UpdateAsync(string name, string spec, string mode)
    {
        var response = await Client.PutAsync($"/api/v1/services/{name}?mode={mode}", new StringContent(spec, Encoding.UTF8, "application/yaml"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<JsonArray> ReplicasAsync(string name) =>
        (JsonArray)JsonNode.Parse(await Client.GetStringAsync($"/api/v1/services/{name}/replicas?all=true"))!;

    public async Task<JsonArray> EventsAsync(string name) =>
        (JsonArray)JsonNode.Parse(await Client.GetStringAsync($"/api/v1/services/{name}/events?limit=10000"))!;

    public async Task<JsonNode> RoutesAsync() => JsonNode.Parse(await Client.GetStringAsync("/api/v1/lb/routes"))!;

    public Task PostRequestsAsync(string service, double requests) =>
        Client.PostAsJsonAsync("/api/v1/lb/stats", new { load_balancer = "test", services = new[] { new { name = service, requests } } });

    public static int Ready(JsonArray replicas, int? version = null) => replicas.Count(r =>
        r!["status"]!.GetValue<string>() == "READY" && (version is null || r["version"]!.GetValue<int>() == version));

    /// <summary>Polls until the condition holds, failing with the last state after the timeout.</summary>
    public async Task WaitUntilAsync(string name, Func<JsonArray, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var replicas = await ReplicasAsync(name);
            if (condition(replicas))
                return;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"timed out waiting for {what}; replicas: {replicas.ToJsonString()}");
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await Provider.TerminateAllAsync(CancellationToken.None);
        await app.DisposeAsync();
        await Provider.DisposeAsync(); // the host disposes only what it was given, which may be a wrapper
        data.Dispose();
    }
}
