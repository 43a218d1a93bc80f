using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using SkyServe.LoadBalancer.Hosting;

namespace SkyServe.LoadBalancer.Tests;

/// <summary>The load balancer on a real Kestrel port, and a client for it.</summary>
public sealed class RunningLoadBalancer : IAsyncDisposable
{
    private readonly WebApplication app;

    /// <summary>The token static-mode load balancers get, for their /-/ pages.</summary>
    public const string StaticToken = "lb-test-token";

    private RunningLoadBalancer(WebApplication app, string? token)
    {
        this.app = app;
        Token = token;
        Url = LoadBalancerHost.BoundAddress(app).ToString().TrimEnd('/');
        Client = new HttpClient { BaseAddress = new Uri(Url), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Url { get; }
    public HttpClient Client { get; }
    public IServiceProvider Services => app.Services;
    /// <summary>The token its /-/ pages need (the one it holds for the controller).</summary>
    public string? Token { get; }

    public static async Task<RunningLoadBalancer> StartAsync(LoadBalancerOptions options)
    {
        var app = LoadBalancerHost.Build(options with { Listen = "http://127.0.0.1:0" });
        await app.StartAsync();
        return new RunningLoadBalancer(app, options.ControllerToken);
    }

    public static Task<RunningLoadBalancer> StaticAsync(string policy, params Backend[] backends) =>
        StartAsync(new LoadBalancerOptions { StaticBackends = backends.Select(b => b.Url).ToList(), StaticPolicy = policy, ControllerToken = StaticToken });

    public async Task<string> MetricsAsync() => await (await PageAsync("/-/metrics")).EnsureSuccessStatusCode().Content.ReadAsStringAsync();

    /// <summary>GET one of its own pages with <paramref name="token"/> (its own by default; null: none).</summary>
    public Task<HttpResponseMessage> PageAsync(string path) => PageAsync(path, Token);

    public async Task<HttpResponseMessage> PageAsync(string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Client.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
