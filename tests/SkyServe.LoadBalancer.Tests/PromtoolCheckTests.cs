using SkyServe.LoadBalancer.LoadBalancing;
using SkyServe.Testing;

namespace SkyServe.LoadBalancer.Tests;

/// <summary>The load balancer's GET /-/metrics, scraped from a real one after some traffic, passes <c>promtool check metrics</c>.</summary>
public sealed class PromtoolCheckTests
{
    [Fact]
    public async Task Metrics_pass_promtool_check_metrics()
    {
        await using var a = await Backend.StartAsync("a");
        await using var b = await Backend.StartAsync("b");
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.RoundRobin, a, b);

        // Answers, retries elsewhere (b refuses), and 503s once no replica answers: every family gets series.
        for (var i = 0; i < 6; i++)
            (await lb.Client.GetAsync($"/ok/{i}")).Dispose();
        b.Refuse = true;
        for (var i = 0; i < 4; i++)
            (await lb.Client.GetAsync($"/retried/{i}")).Dispose();
        a.Refuse = true;
        (await lb.Client.GetAsync("/refused")).Dispose();

        var text = await lb.MetricsAsync();
        Assert.Contains("skyserve_lb_request_duration_seconds_bucket{service=", text);
        Assert.Contains("skyserve_lb_ready_replicas{service=", text);
        Assert.DoesNotContain("skyserve_lb_retries_total{service=\"static\"} 0", text);
        await Promtool.AssertCheckMetricsPassesAsync(text);
    }
}
