using System.Net;
using System.Net.Http.Json;
using SkyServe.ReplicaAgent.Hosting;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests.Metrics;

/// <summary>The agent's GET /metrics, scraped from a real host after some traffic, passes <c>promtool check metrics</c>.</summary>
public sealed class PromtoolCheckTests
{
    private static readonly string Model = Path.Combine(RepoPaths.Root, "tests", "fixtures", "tiny-llama");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Metrics_pass_promtool_check_metrics(bool withModel)
    {
        var app = AgentHost.Build(new AgentOptions
        {
            Port = 0, ModelDirectory = withModel ? Model : null, MachineId = "promtool-test", PeakBandwidthGbps = 200, PeakTflops = 1,
        }, statusOutput: TextWriter.Null);
        await app.StartAsync();
        await using var _ = app;
        using var client = LoopbackHttp.NewClient(new Uri(app.Urls.First()));

        // Traffic, so that every family has series: completions (plain and streamed), health, a 404.
        if (withModel)
        {
            using var completion = await client.PostAsJsonAsync("/v1/completions", new { prompt = "Once upon a time", max_tokens = 5, temperature = 0 });
            Assert.Equal(HttpStatusCode.OK, completion.StatusCode);
            using var chat = await client.PostAsJsonAsync("/v1/chat/completions", new
            {
                messages = new[] { new { role = "user", content = "Hello there!" } }, max_tokens = 4, stream = true,
            });
            Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
            await chat.Content.ReadAsStringAsync();
        }
        (await client.GetAsync("/health")).Dispose();
        (await client.GetAsync("/no-such-path")).Dispose();
        (await client.GetAsync("/metrics")).Dispose();

        var text = await client.GetStringAsync("/metrics");
        Assert.Contains("skyserve_agent_http_requests_total{route=", text);
        if (withModel)
            Assert.Contains("skyserve_time_to_first_token_seconds_bucket{", text);
        await Promtool.AssertCheckMetricsPassesAsync(text);
    }
}
