using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SkyServe.LoadBalancer.LoadBalancing;

namespace SkyServe.LoadBalancer.Tests;

/// <summary>
/// What a client sees when replicas die under it, over real Kestrel backends: while nothing was sent yet, the load
/// balancer's own 503 JSON (never an empty 502); once an SSE answer is under way, an error event before the end.
/// </summary>
public sealed class ReplicaLossTests : IAsyncLifetime
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

    [Fact]
    public async Task Every_replica_killed_under_load_leaves_only_503_json_never_an_empty_502()
    {
        // Three replicas and three attempts: a request that tries all three dead ones runs out of attempts.
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.RoundRobin, [.. backends]);
        const int total = 400;
        const int killAfter = 120;
        var started = 0;
        var completed = 0;
        var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var outcomes = new ConcurrentBag<(HttpStatusCode Status, string Body, string? ContentType, bool RetryAfter, bool AfterKill)>();

        async Task WorkerAsync(int worker)
        {
            while (Interlocked.Increment(ref started) <= total)
            {
                var afterKill = killed.Task.IsCompleted;
                using var response = worker % 2 == 0
                    ? await lb.Client.GetAsync("/work?delay_ms=20")
                    : await lb.Client.PostAsync("/work?delay_ms=20", new StringContent($"from {worker}", Encoding.UTF8, "text/plain"));
                outcomes.Add((response.StatusCode, await response.Content.ReadAsStringAsync(), response.Content.Headers.ContentType?.MediaType,
                    response.Headers.RetryAfter is not null, afterKill));
                if (Interlocked.Increment(ref completed) == killAfter)
                {
                    // Every replica dies at once, with requests in flight on each.
                    await Task.WhenAll(backends.Select(b => b.KillAsync()));
                    killed.SetResult();
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 16).Select(WorkerAsync));

        Assert.Equal(total, outcomes.Count);
        Assert.Contains(outcomes, o => o.Status == HttpStatusCode.OK);
        Assert.Contains(outcomes, o => o.AfterKill); // the kill happened while requests kept coming
        foreach (var o in outcomes.Where(o => o.Status != HttpStatusCode.OK))
        {
            Assert.True(o.Status == HttpStatusCode.ServiceUnavailable, $"{(int)o.Status} '{o.Body}'");
            Assert.Equal("application/json", o.ContentType);
            Assert.True(o.RetryAfter, "a 503 without Retry-After");
            var error = JsonNode.Parse(o.Body)!["error"]!;
            Assert.Equal("no_replica", (string?)error["type"]);
            Assert.Equal(503, (int?)error["code"]);
        }
        Assert.All(outcomes.Where(o => o.AfterKill), o => Assert.Equal(HttpStatusCode.ServiceUnavailable, o.Status));
        foreach (var o in outcomes.Where(o => o.Status == HttpStatusCode.OK))
            Assert.Contains("|/work|", o.Body);
    }

    [Fact]
    public async Task A_stream_whose_replica_is_killed_mid_answer_ends_with_an_sse_error_event()
    {
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.LeastLoad, backends[0]);
        using var response = await lb.Client.GetAsync("/sse", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("data: token-0", await reader.ReadLineAsync()); // the answer is under way...

        await backends[0].KillAsync(); // ...when its replica dies, holding the rest
        var rest = await reader.ReadToEndAsync();

        Assert.False(backends[0].StreamEnded);
        AssertEndsWithReplicaLost(rest);
        Assert.Equal(1, backends[0].Hits); // nothing was replayed on a dead replica
    }

    [Fact]
    public async Task A_stream_cut_halfway_through_an_event_gets_the_error_event_as_an_event_of_its_own()
    {
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.LeastLoad, backends[0], backends[1]);
        using var response = await lb.Client.GetAsync("/sse-cut", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var stream = await response.Content.ReadAsStreamAsync();
        var body = await ReadUntilAsync(stream, "half an ev");
        backends[0].CutNow.SetResult();
        backends[1].CutNow.SetResult();
        body += await new StreamReader(stream).ReadToEndAsync();

        Assert.StartsWith("data: token-0\n\ndata: token-1\n\ndata: token-2\n\ndata: half an ev\n\n", body);
        AssertEndsWithReplicaLost(body);
        Assert.Equal(1, backends[0].Hits + backends[1].Hits); // a started answer is never retried

        // The replica that cut the stream is out of rotation: the next requests go to the other one.
        var cutter = backends[0].Hits == 1 ? backends[0] : backends[1];
        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.OK, (await lb.Client.GetAsync("/x")).StatusCode);
        Assert.Equal(1, cutter.Hits);
    }

    [Fact]
    public async Task A_plain_answer_cut_by_its_replica_is_aborted_without_an_event()
    {
        await using var lb = await RunningLoadBalancer.StaticAsync(PolicyNames.LeastLoad, backends[0]);
        using var response = await lb.Client.GetAsync("/cut", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var stream = await response.Content.ReadAsStreamAsync();
        var read = await ReadUntilAsync(stream, "first half");
        backends[0].CutNow.SetResult();
        var failed = await Record.ExceptionAsync(async () => read += await new StreamReader(stream).ReadToEndAsync());
        Assert.True(failed is IOException or HttpRequestException, $"the cut answer ended normally: '{read}'");
        Assert.DoesNotContain(Forwarding.ReplicaLostEvent.Code, read);
    }

    /// <summary>Reads what has arrived until it contains <paramref name="marker"/> (partial lines included).</summary>
    private static async Task<string> ReadUntilAsync(Stream stream, string marker)
    {
        var text = "";
        var buffer = new byte[4096];
        while (!text.Contains(marker))
        {
            var n = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(n > 0, $"the stream ended before '{marker}': '{text}'");
            text += Encoding.UTF8.GetString(buffer, 0, n);
        }
        return text;
    }

    /// <summary>The last event is OpenAI's error shape (what the openai SDKs raise on), after a blank line.</summary>
    private static void AssertEndsWithReplicaLost(string body)
    {
        Assert.EndsWith("\n\n", body);
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        var last = events[^1].TrimStart('\n');
        Assert.StartsWith("data: ", last);
        var error = JsonNode.Parse(last["data: ".Length..])!["error"]!;
        Assert.Equal("server_error", (string?)error["type"]);
        Assert.Equal("replica_lost", (string?)error["code"]);
        Assert.False(string.IsNullOrEmpty((string?)error["message"]));
    }
}
