using System.Net;
using System.Text.Json.Nodes;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// The real agent process against a loopback emulator of each cloud's metadata service (in that cloud's
/// wire format, refusing requests without its header or token) and a stub of the controller's notice endpoint.
/// </summary>
public sealed class MetadataFormatTests
{
    private const string PollMs = "200";
    private const string Token = "ska_test-token";

    public static TheoryData<string> Formats => new() { "aws", "gcp", "azure" };

    private static Task<AgentProcess> StartAgentAsync(IMetadataEmulator metadata, string machineId, ControllerStub controller) =>
        AgentProcess.StartAsync("--machine-id", machineId, "--metadata-url", metadata.BaseUrl.ToString(), "--metadata-format", metadata.Format,
            "--metadata-poll-ms", PollMs, "--controller-url", controller.Url.ToString(), "--controller-token", Token);

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task A_notice_reaches_health_readiness_and_the_controller_while_requests_in_flight_finish(string format)
    {
        var machineId = AgentProcess.NewMachineId();
        await using var metadata = await MetadataEmulators.StartAsync(format, machineId);
        await using var controller = await ControllerStub.StartAsync();
        await using var agent = await StartAgentAsync(metadata, machineId, controller);

        await Eventually.TrueAsync(() => metadata.NoticeRequests >= 2, TimeSpan.FromSeconds(30), () => agent.Output);
        Assert.Equal("ok", (string?)(await agent.GetJsonAsync("/health"))["status"]);
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/ready")).StatusCode);
        var inFlight = agent.Http.GetAsync("/v1/slow?delay_ms=2500"); // a request the notice must not cut off

        var deadline = DateTimeOffset.UtcNow.AddSeconds(90);
        deadline = deadline.AddTicks(-(deadline.Ticks % TimeSpan.TicksPerSecond)); // both formats state whole seconds
        var announcedAt = DateTimeOffset.UtcNow;
        metadata.Announce(deadline);
        JsonObject health = [];
        await Eventually.TrueAsync(async () => (string?)(health = await agent.GetJsonAsync("/health"))["status"] == "interrupted",
            TimeSpan.FromSeconds(30), () => agent.Output);

        var interruption = health["interruption"]!;
        var receivedAt = DateTimeOffset.Parse((string)interruption["received_at"]!);
        var time = DateTimeOffset.Parse((string)interruption["time"]!);
        Assert.True(receivedAt - announcedAt < TimeSpan.FromSeconds(5), $"received {(receivedAt - announcedAt).TotalMilliseconds:0} ms after the announcement");
        if (format == "gcp") // GCP states no deadline: about 30 s from the moment preempted turned TRUE
            Assert.InRange(time - receivedAt, TimeSpan.FromSeconds(29), TimeSpan.FromSeconds(30));
        else
            Assert.Equal(deadline, time);
        Assert.Equal(format, (string?)interruption["source"]);
        Assert.Equal("preemption", (string?)interruption["kind"]);
        Assert.Equal("terminate", (string?)interruption["action"]);
        Assert.False((bool?)health["ready"]);
        using (var ready = await agent.Http.GetAsync("/ready"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("\"reason\":\"interrupted\"", await ready.Content.ReadAsStringAsync());
        }

        // Reported to the controller at once, with the replica's token.
        await Eventually.TrueAsync(() => controller.Reports.Count > 0, TimeSpan.FromSeconds(10), () => agent.Output);
        var (body, authorization, at) = Assert.Single(controller.Reports);
        Assert.Equal($"Bearer {Token}", authorization);
        Assert.Equal(machineId, (string?)body["machine_id"]);
        Assert.Equal(time, DateTimeOffset.Parse((string)body["deadline"]!));
        Assert.Equal(format, (string?)body["source"]);
        Assert.Equal("preemption", (string?)body["kind"]);
        Assert.True(at - receivedAt < TimeSpan.FromSeconds(5), $"reported {(at - receivedAt).TotalMilliseconds:0} ms after the notice");

        // Draining: the request that was in flight still gets its answer.
        using var finished = await inFlight;
        Assert.Equal(HttpStatusCode.OK, finished.StatusCode);
        // The line follows the state change that /health shows: wait for it rather than race it.
        await Eventually.TrueAsync(() => agent.Stdout.Contains($"interruption notice: action=terminate time={(string)interruption["time"]!} kind=preemption source={format}"), TimeSpan.FromSeconds(10), () => agent.Output);
        Assert.Equal(0, metadata.RefusedRequests);
        Assert.False(agent.HasExited, agent.Output);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Without_a_notice_nothing_happens(string format)
    {
        var machineId = AgentProcess.NewMachineId();
        await using var metadata = await MetadataEmulators.StartAsync(format, machineId);
        await using var controller = await ControllerStub.StartAsync();
        await using var agent = await StartAgentAsync(metadata, machineId, controller);

        await Eventually.TrueAsync(() => metadata.NoticeRequests >= 5, TimeSpan.FromSeconds(30), () => agent.Output);

        var health = await agent.GetJsonAsync("/health");
        Assert.Equal("ok", (string?)health["status"]);
        Assert.Null(health["interruption"]);
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/ready")).StatusCode);
        Assert.Equal(0, controller.Attempts);
        Assert.Equal(0, metadata.RefusedRequests); // every request carried the format's header or token
        Assert.DoesNotContain("interruption notice", agent.Stdout);
        Assert.DoesNotContain("metadata service", agent.Stderr);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Server_errors_are_no_notice_and_a_later_notice_still_arrives(string format)
    {
        var machineId = AgentProcess.NewMachineId();
        await using var metadata = await MetadataEmulators.StartAsync(format, machineId);
        await using var controller = await ControllerStub.StartAsync();
        metadata.FailWith(HttpStatusCode.InternalServerError);
        await using var agent = await StartAgentAsync(metadata, machineId, controller);

        await Eventually.TrueAsync(() => agent.Stderr.Contains("failed"), TimeSpan.FromSeconds(30), () => agent.Output);
        await Task.Delay(TimeSpan.FromSeconds(1)); // some more failed polls
        Assert.Equal("ok", (string?)(await agent.GetJsonAsync("/health"))["status"]);
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync("/ready")).StatusCode);
        Assert.Equal(0, controller.Attempts);

        metadata.Recover();
        metadata.Announce(DateTimeOffset.UtcNow.AddMinutes(2));
        await Eventually.TrueAsync(async () => (string?)(await agent.GetJsonAsync("/health"))["status"] == "interrupted",
            TimeSpan.FromSeconds(30), () => agent.Output);
        await Eventually.TrueAsync(() => controller.Reports.Count == 1, TimeSpan.FromSeconds(10), () => agent.Output);
        var failure = Assert.Single(agent.Stderr.Split('\n'), line => line.Contains("failed")); // throttled: once a minute
        Assert.Contains("500", failure);
        // The logger writes from its own queue: the recovery line may come after the notice is already served.
        await Eventually.TrueAsync(() => agent.Output.Contains("answers again"), TimeSpan.FromSeconds(10), () => agent.Output);
        Assert.Single(agent.Output.Split('\n'), line => line.Contains("answers again"));
    }

    [Theory]
    [InlineData("gcp")]
    [InlineData("azure")]
    public async Task A_metadata_service_that_is_not_there_is_no_notice(string format)
    {
        var nothingListens = $"http://127.0.0.1:{FreePort.Next()}/machines/m-gone";
        await using var controller = await ControllerStub.StartAsync();
        await using var agent = await AgentProcess.StartAsync("--metadata-url", nothingListens, "--metadata-format", format,
            "--metadata-poll-ms", "100", "--controller-url", controller.Url.ToString());

        await Eventually.TrueAsync(() => agent.Stderr.Contains("still polling"), TimeSpan.FromSeconds(30), () => agent.Output);
        await Task.Delay(TimeSpan.FromSeconds(1));

        Assert.False(agent.HasExited, agent.Output);
        var health = await agent.GetJsonAsync("/health");
        Assert.Equal("ok", (string?)health["status"]);
        Assert.True((bool?)health["ready"]);
        Assert.Equal(0, controller.Attempts);
        Assert.Single(agent.Stderr.Split('\n'), line => line.Contains($"metadata service ({format})"));
    }
}
