using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SkyServe.LoadBalancer.LoadBalancing;

using SkyServe.Testing;

namespace SkyServe.LoadBalancer.Tests;

/// <summary>The data path over real Kestrel backends: policies, retries elsewhere, passive health, streaming, limits.</summary>
public sealed class StaticBackendTests : IAsyncLifetime
{
    private readonly List<Backend> backends = [];

    public async Task InitializeAsync()
    {
        foreach (var name in new[] { "a", "b", "c" })
            backends.Add(await Backend.StartAsync(name));
    }

    public async Task DisposeAsync()
    {
        foreach (var backend in backends)
            await backend.DisposeAsync();
    }

    private static string Who(string body) => body.Split('|')[0];

    [Fact]
    public async Task Round_robin_takes_each_replica_in_turn()
    {
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.RoundRobin, [.. backends]);
        var order = new List<string>();
        for (var i = 0; i < 30; i++)
            order.Add(Who(await lb.Client.GetStringAsync("/x")));
        Assert.All(backends, b => Assert.Equal(10, b.Hits));
        Assert.Equal(3, order.Take(3).Distinct().Count()); // a full turn before any repeat
    }

    [Fact]
    public async Task Least_load_sends_new_requests_to_the_replica_with_fewest_in_flight()
    {
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.LeastLoad, backends[0], backends[1]);
        var slow = lb.Client.GetStringAsync("/slow?delay_ms=3000");
        await Task.Delay(300); // the slow request is in flight on one replica
        var quick = new List<string>();
        for (var i = 0; i < 6; i++)
            quick.Add(Who(await lb.Client.GetStringAsync("/quick")));
        var busy = Who(await slow);
        Assert.All(quick, who => Assert.NotEqual(busy, who));
    }

    [Fact]
    public async Task A_killed_replica_costs_no_client_request_and_leaves_rotation_at_once()
    {
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.RoundRobin, backends[0], backends[1]);
        await backends[1].KillAsync();
        for (var i = 0; i < 20; i++)
        {
            var get = await lb.Client.GetAsync($"/get/{i}");
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            var post = await lb.Client.PostAsync("/post", new StringContent($"body-{i}", Encoding.UTF8, "text/plain"));
            Assert.Equal(HttpStatusCode.OK, post.StatusCode);
            Assert.EndsWith($"|POST|/post|body-{i}", await post.Content.ReadAsStringAsync()); // the replayed body arrived whole
        }
        // One failed attempt took the dead replica out of rotation: no further retries were needed.
        Assert.Contains("skyserve_lb_retries_total{service=\"static\"} 1", await lb.MetricsAsync());
        Assert.Contains("skyserve_lb_requests_total{service=\"static\",code=\"2xx\"} 40", await lb.MetricsAsync());
    }

    [Fact]
    public async Task A_503_from_a_replica_is_retried_on_another()
    {
        backends[1].Refuse = true;
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.RoundRobin, backends[0], backends[1]);
        for (var i = 0; i < 10; i++)
        {
            var response = await lb.Client.GetAsync("/x");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("a", Who(await response.Content.ReadAsStringAsync()));
        }
        Assert.Equal(1, backends[1].Hits);
    }

    [Fact]
    public async Task Server_sent_events_stream_through_token_by_token()
    {
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.LeastLoad, backends[0]);
        using var response = await lb.Client.GetAsync("/sse", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync();
        var backendStillStreaming = !backends[0].StreamEnded;
        backends[0].FirstEventSeen.SetResult();
        var rest = await reader.ReadToEndAsync();
        Assert.Equal("data: token-0", first);
        Assert.True(backendStillStreaming, "the first event arrived only after the backend ended the stream: buffered");
        Assert.Contains("data: token-4", rest);
        Assert.Contains("data: [DONE]", rest);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_resumable_chat_stream_passes_each_event_on_before_waiting_for_the_next()
    {
        // Resumed streams gather events that arrive together into one write: one that has no successor yet must go out at once.
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.LeastLoad, backends[0]);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions?hold_after_first=1")
        {
            Content = new StringContent("""{"messages":[{"role":"user","content":"hi"}],"max_tokens":5,"stream":true}""", Encoding.UTF8, "application/json"),
        };
        using var response = await lb.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync();
        var backendStillStreaming = !backends[0].StreamEnded;
        backends[0].FirstEventSeen.SetResult();
        var rest = await reader.ReadToEndAsync();
        Assert.True(backendStillStreaming, "the first event arrived only after the backend ended the stream: held back");
        Assert.Contains("\"content\":\"Hel\"", first);
        Assert.Equal("Hello, world", string.Concat(rest.Split('\n').Prepend(first!).Where(l => l.StartsWith("data: {"))
            .Select(l => (string?)JsonNode.Parse(l[6..])!["choices"]![0]!["delta"]!["content"])));
        Assert.EndsWith("data: [DONE]\n\n", rest);
    }

    [Fact]
    public async Task Replicas_get_this_hops_forwarded_headers_on_resumable_completions_as_on_every_other_request()
    {
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.LeastLoad, backends[0]);
        backends[0].FirstEventSeen.SetResult();
        var host = new Uri(lb.Url).Authority;
        foreach (var (path, body) in new[] { ("/x", (string?)null), ("/v1/chat/completions?hold_after_first=1", """{"messages":[{"role":"user","content":"hi"}],"stream":true}""") })
        {
            using var request = new HttpRequestMessage(body is null ? HttpMethod.Get : HttpMethod.Post, path);
            if (body is not null)
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            request.Headers.Add("X-Forwarded-For", "203.0.113.9"); // a client claiming another address
            using var response = await lb.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await response.Content.ReadAsStringAsync();
            var forwarded = backends[0].LastForwarded;
            Assert.Equal("127.0.0.1", forwarded.GetValueOrDefault("x-forwarded-for"));
            Assert.Equal("http", forwarded.GetValueOrDefault("x-forwarded-proto"));
            Assert.Equal(host, forwarded.GetValueOrDefault("x-forwarded-host"));
        }
    }

    [Fact]
    public async Task A_client_that_goes_away_is_counted_not_retried()
    {
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.RoundRobin, backends[0], backends[1]);
        using var goingAway = new CancellationTokenSource();
        var request = lb.Client.GetStringAsync("/x?delay_ms=3000", goingAway.Token);
        await Eventually.TrueAsync(() => backends[0].Hits + backends[1].Hits == 1, TimeSpan.FromSeconds(10), () => "the request never reached a backend");
        goingAway.Cancel(); // the client leaves while the replica is still working on its request
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => request);
        var metrics = "";
        await Eventually.TrueAsync(async () => (metrics = await lb.MetricsAsync()).Contains("skyserve_lb_client_disconnects_total{service=\"static\"} 1"),
            TimeSpan.FromSeconds(10), () => metrics);
        Assert.Contains("skyserve_lb_retries_total{service=\"static\"} 0", metrics);
        Assert.Equal(1, backends[0].Hits + backends[1].Hits);
    }

    [Fact]
    public async Task Oversized_headers_are_refused()
    {
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.RoundRobin, backends[0]);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/x");
        request.Headers.Add("X-Big", new string('x', 64 * 1024));
        var response = await lb.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, response.StatusCode);
        Assert.Equal(0, backends[0].Hits);
    }
}
