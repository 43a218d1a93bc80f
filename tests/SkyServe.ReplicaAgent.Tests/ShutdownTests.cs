using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>SIGTERM and Ctrl+C on the real agent: drain, let in-flight requests finish, exit 0.</summary>
public sealed class ShutdownTests
{
    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task A_signal_lets_the_in_flight_request_finish_then_the_agent_exits_0(string signal)
    {
        await using var agent = await AgentProcess.StartAsync("--drain-timeout-ms", "10000");
        var slow = agent.Http.GetAsync("/generate?delay_ms=3000");
        await Task.Delay(1000); // the request is in the agent's hands

        var signalled = Stopwatch.StartNew();
        await agent.SignalAsync(signal);
        using var response = await slow;
        var exitCode = await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("?delay_ms=3000", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["query"]);
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{agent.Output}");
        Assert.True(signalled.ElapsedMilliseconds >= 1500, $"exited {signalled.ElapsedMilliseconds} ms after the signal: it did not wait");
        Assert.Contains("draining: readiness answers 503", agent.Stdout);
    }

    [Fact]
    public async Task The_drain_timeout_bounds_how_long_a_request_may_hold_up_the_exit()
    {
        await using var agent = await AgentProcess.StartAsync("--drain-timeout-ms", "1000");
        var endless = agent.Http.GetAsync("/generate?delay_ms=120000");
        await Task.Delay(500);

        var signalled = Stopwatch.StartNew();
        await agent.SignalAsync("TERM");
        var exitCode = await agent.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.True(signalled.Elapsed < TimeSpan.FromSeconds(15), $"exited {signalled.ElapsedMilliseconds} ms after SIGTERM");
        Assert.True(exitCode == 0, $"exit code {exitCode}:\n{agent.Output}");
        await Assert.ThrowsAnyAsync<Exception>(() => endless); // cut off, not answered
    }
}
