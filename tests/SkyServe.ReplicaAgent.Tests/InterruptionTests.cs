using System.Net;
using System.Text.Json.Nodes;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>The real agent watching a loopback AWS IMDSv2 emulator for a spot interruption notice.</summary>
public sealed class InterruptionTests
{
    private const int PollMs = 300;

    [Fact]
    public async Task A_notice_turns_health_interrupted_and_readiness_503_within_two_polls()
    {
        await using var imds = await ImdsEmulator.StartAsync("m-123");
        await using var agent = await AgentProcess.StartAsync(
            "--metadata-url", imds.BaseUrl.ToString(), "--metadata-format", "aws", "--metadata-poll-ms", PollMs.ToString());

        // No notice yet: instance-action answers 404 and the agent stays ready, on one reused token.
        await Eventually.TrueAsync(() => imds.InstanceActionRequests >= 3, TimeSpan.FromSeconds(30), () => agent.Output);
        Assert.Equal("ok", (string?)(await agent.GetJsonAsync("/health"))["status"]);
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/ready")).StatusCode);
        Assert.Equal(1, imds.TokenRequests);
        Assert.Equal(0, imds.UnauthorizedRequests);

        var noticeSetAt = DateTimeOffset.UtcNow;
        imds.SetNotice("terminate", "2017-09-18T08:22:00Z");
        JsonObject health = [];
        await Eventually.TrueAsync(async () => (string?)(health = await agent.GetJsonAsync("/health"))["status"] == "interrupted",
            TimeSpan.FromSeconds(30), () => agent.Output);

        var interruption = health["interruption"]!;
        Assert.Equal("terminate", (string?)interruption["action"]);
        Assert.Equal("2017-09-18T08:22:00Z", (string?)interruption["time"]);
        Assert.Equal("aws", (string?)interruption["source"]);
        var receivedAt = DateTimeOffset.Parse((string)interruption["received_at"]!);
        Assert.True(receivedAt - noticeSetAt <= TimeSpan.FromMilliseconds(2 * PollMs + 1000),
            $"notice received {(receivedAt - noticeSetAt).TotalMilliseconds:0} ms after it was posted");
        Assert.False((bool?)health["ready"]);

        using var ready = await agent.Http.GetAsync("/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("\"reason\":\"interrupted\"", await ready.Content.ReadAsStringAsync());
        await Eventually.TrueAsync(() => agent.Stdout.Contains("interruption notice: action=terminate time=2017-09-18T08:22:00Z"),
            TimeSpan.FromSeconds(10), () => agent.Output);
        Assert.Single(agent.Stdout.Split('\n'), line => line.StartsWith("interruption notice:"));
        Assert.Equal(0, imds.UnauthorizedRequests);
    }

    [Fact]
    public async Task A_metadata_service_that_is_down_neither_crashes_the_agent_nor_floods_the_log()
    {
        var nothingListens = $"http://127.0.0.1:{FreePort.Next()}/machines/m-gone";
        await using var agent = await AgentProcess.StartAsync("--metadata-url", nothingListens, "--metadata-poll-ms", "100");

        await Task.Delay(TimeSpan.FromSeconds(2)); // some 20 failed polls

        Assert.False(agent.HasExited, agent.Output);
        var health = await agent.GetJsonAsync("/health");
        Assert.Equal("ok", (string?)health["status"]);
        Assert.True((bool?)health["ready"]);
        var reported = Assert.Single(agent.Stderr.Split('\n'), line => line.Contains("metadata service"));
        Assert.Contains("still polling", reported);
    }

    [Fact]
    public async Task Server_errors_are_survived_and_a_later_notice_still_arrives()
    {
        await using var imds = await ImdsEmulator.StartAsync("m-flaky");
        imds.FailWith(HttpStatusCode.InternalServerError);
        await using var agent = await AgentProcess.StartAsync("--metadata-url", imds.BaseUrl.ToString(), "--metadata-poll-ms", "100");

        await Eventually.TrueAsync(() => imds.TokenRequests >= 5, TimeSpan.FromSeconds(30), () => agent.Output);
        Assert.Equal("ok", (string?)(await agent.GetJsonAsync("/health"))["status"]);
        imds.Recover();
        imds.SetNotice("stop", "2026-03-01T12:00:00Z");

        await Eventually.TrueAsync(async () => (string?)(await agent.GetJsonAsync("/health"))["status"] == "interrupted",
            TimeSpan.FromSeconds(30), () => agent.Output);
        Assert.Equal("stop", (string?)(await agent.GetJsonAsync("/health"))["interruption"]!["action"]);
        // The line follows the state change that /health shows: wait for it rather than race it.
        await Eventually.TrueAsync(() => agent.Stdout.Contains("interruption notice: action=stop time=2026-03-01T12:00:00Z"), TimeSpan.FromSeconds(10), () => agent.Output);
        // Logged once (errors at most once a minute), saying what went wrong: the 500, or, when the first poll of a
        // freshly started agent on a busy machine ran past the metadata timeout, that.
        var failure = Assert.Single(agent.Stderr.Split('\n'), line => line.Contains("failed"));
        Assert.True(failure.Contains("500") || failure.Contains("no answer within"), failure);
        // The logger writes from its own queue: the recovery line may follow the notice's direct line to stdout.
        await Eventually.TrueAsync(() => agent.Output.Contains("answers again"), TimeSpan.FromSeconds(10), () => agent.Output);
        Assert.Single(agent.Output.Split('\n'), line => line.Contains("answers again"));
    }
}
