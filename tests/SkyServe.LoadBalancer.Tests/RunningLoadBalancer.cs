using Microsoft.AspNetCore.Builder;
using SkyServe.LoadBalancer.Hosting;

namespace SkyServe.LoadBalancer.Tests;

/// <summary>The load balancer on a real Kestrel port, and a client for it.</summary>
public sealed class RunningLoadBalancer : IAsyncDisposable
{
    private readonly WebApplication app;

    private RunningLoadBalancer(WebApplication app)
    {
        this.app = app;
        Url = LoadBalancerHost.BoundAddress(app).ToString().TrimEnd('/');
        Client = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Url { get; }
    public HttpClient Client { get; }

    public static async Task<RunningLoadBalancer> StartAsync(LoadBalancerOptions options)
    {
        var app = LoadBalancerHost.Build(options with { Listen = "http://127.0.0.1:0" });
        await app.StartAsync();
        return new RunningLoadBalancer(app);
    }

    public static Task<RunningLoadBalancer> StaticAsync(string policy, params Backend[] backends) =>
        StartAsync(new LoadBalancerOptions { StaticBackends = backends.Select(b => b.Url).ToList(), StaticPolicy = policy });

    public async Task<string> MetricsAsync() => await Client.GetStringAsync("/-/metrics");

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
