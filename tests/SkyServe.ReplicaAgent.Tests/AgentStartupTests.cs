using System.Net;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>Starting the real agent as a launcher does: the listening line, the port, the bound host, /health.</summary>
public sealed class AgentStartupTests
{
    [Fact]
    public async Task Port_0_prints_one_listening_line_with_the_real_port()
    {
        await using var agent = await AgentProcess.StartAsync("--port", "0");

        Assert.Equal("127.0.0.1", agent.Url.Host);
        Assert.NotEqual(0, agent.Url.Port);
        Assert.Equal($"ReplicaAgent listening on http://127.0.0.1:{agent.Url.Port}",
            Assert.Single(agent.Stdout.Split('\n'), line => line.Contains("listening", StringComparison.OrdinalIgnoreCase)));
        using var response = await agent.Http.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Binds_the_given_port_on_the_given_host_only()
    {
        var port = FreePort.Next();
        await using var agent = await AgentProcess.StartAsync("--port", port.ToString(), "--host", "127.0.0.1");

        Assert.Equal(new Uri($"http://127.0.0.1:{port}/"), agent.Url);
        using var elsewhere = LoopbackHttp.NewClient();
        // 127.0.0.2 is loopback too on Linux, yet not the address the agent bound.
        await Assert.ThrowsAsync<HttpRequestException>(() => elsewhere.GetAsync($"http://127.0.0.2:{port}/health"));
    }

    [Fact]
    public async Task Health_reports_status_machine_id_readiness_and_start_time()
    {
        var before = DateTimeOffset.UtcNow;
        await using var agent = await AgentProcess.StartAsync();

        var health = await agent.GetJsonAsync("/health");

        Assert.Equal("ok", (string?)health["status"]);
        Assert.Equal(agent.MachineId, (string?)health["machine_id"]);
        Assert.True((bool?)health["ready"]);
        var startedAt = DateTimeOffset.Parse((string)health["started_at"]!);
        Assert.InRange(startedAt, before.AddSeconds(-1), DateTimeOffset.UtcNow);
        Assert.EndsWith("Z", (string)health["started_at"]!);
        Assert.True(health.ContainsKey("interruption"));
        Assert.Null(health["interruption"]);
        Assert.Equal(["status", "machine_id", "ready", "started_at", "interruption"], health.Select(p => p.Key));
    }
}
