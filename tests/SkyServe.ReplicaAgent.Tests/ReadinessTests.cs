using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>The readiness probe of the real agent: simulated model loading, a configurable path, GET/HEAD/POST.</summary>
public sealed class ReadinessTests
{
    [Fact]
    public async Task Readiness_answers_503_until_the_ready_delay_has_passed_then_200()
    {
        var sinceLaunch = Stopwatch.StartNew();
        await using var agent = await AgentProcess.StartAsync("--ready-delay-ms", "4000");

        using (var loading = await agent.Http.GetAsync("/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, loading.StatusCode);
            var body = (await loading.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.False((bool?)body["ready"]);
            Assert.Equal("loading", (string?)body["reason"]);
        }
        var health = await agent.GetJsonAsync("/health");
        Assert.Equal("ok", (string?)health["status"]);
        Assert.False((bool?)health["ready"]);

        await Eventually.TrueAsync(async () => (await agent.Http.GetAsync("/ready")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), () => agent.Output);
        Assert.True(sinceLaunch.Elapsed >= TimeSpan.FromMilliseconds(4000), $"ready after {sinceLaunch.ElapsedMilliseconds} ms");

        using var ready = await agent.Http.GetAsync("/ready");
        Assert.Equal("""{"ready":true}""", await ready.Content.ReadAsStringAsync());
        Assert.True((bool?)(await agent.GetJsonAsync("/health"))["ready"]);
        using var head = await agent.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/ready"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        using var post = await agent.Http.PostAsync("/ready", new StringContent("""{"prompt": "probe"}"""));
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
    }

    [Fact]
    public async Task A_configured_readiness_path_answers_GET_HEAD_and_POST_and_ready_becomes_an_echo()
    {
        await using var agent = await AgentProcess.StartAsync("--readiness-path", "/v1/models", "--ready-delay-ms", "600000");

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head, HttpMethod.Post })
        {
            using var request = new HttpRequestMessage(method, "/v1/models");
            if (method == HttpMethod.Post)
                request.Content = new StringContent("""{"model": "m"}""");
            using var response = await agent.Http.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{method}: {response.StatusCode}");
        }
        var echo = await agent.GetJsonAsync("/ready");
        Assert.Equal("/ready", (string?)echo["path"]);
    }
}
