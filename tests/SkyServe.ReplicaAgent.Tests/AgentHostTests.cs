using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SkyServe.ReplicaAgent.Health;
using SkyServe.ReplicaAgent.Hosting;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>The agent's host in-process, over real loopback HTTP, where a controlled clock or a look inside helps.</summary>
public sealed class AgentHostTests
{
    private static AgentOptions Options(TimeSpan readyDelay = default) =>
        new() { Port = 0, MachineId = "m-in-process", ReadyDelay = readyDelay, DrainTimeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Readiness_turns_200_exactly_when_the_ready_delay_has_passed()
    {
        var time = new ManualTimeProvider();
        await using var app = AgentHost.Build(Options(TimeSpan.FromMinutes(5)), time, TextWriter.Null);
        await app.StartAsync();
        using var http = LoopbackHttp.NewClient(new Uri(app.Urls.First()));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/ready")).StatusCode);
        time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/ready")).StatusCode);
        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/ready")).StatusCode);
        Assert.Contains("\"started_at\":\"2026-01-01T00:00:00Z\"", await http.GetStringAsync("/health"));
        await app.StopAsync();
    }

    [Fact]
    public async Task Stopping_drains_at_once_while_the_in_flight_request_finishes()
    {
        var status = new StringWriter();
        await using var app = AgentHost.Build(Options(), TimeProvider.System, TextWriter.Synchronized(status));
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Use(async (context, next) =>
        {
            arrived.TrySetResult(); // the request is in flight on the agent: stopping now must let it finish
            await next(context);
        });
        await app.StartAsync();
        var state = app.Services.GetRequiredService<AgentState>();
        using var http = LoopbackHttp.NewClient(new Uri(app.Urls.First()));
        var slow = http.GetAsync("/generate?delay_ms=1500");
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var stopping = app.StopAsync(); // what SIGTERM starts
        Assert.Equal(AgentStatus.Draining, state.Status);
        Assert.Equal("draining", state.GetReadiness().Reason);
        Assert.False(stopping.IsCompleted);

        using var response = await slow;
        await stopping;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("draining: ", status.ToString());
    }
}
