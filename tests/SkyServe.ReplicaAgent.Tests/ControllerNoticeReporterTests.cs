using SkyServe.Contracts.Notices;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using SkyServe.ReplicaAgent.Hosting;
using SkyServe.ReplicaAgent.Interruption;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>The agent's report of a notice to the controller, in-process against a stub of the controller's endpoint.</summary>
public sealed class ControllerNoticeReporterTests
{
    private static readonly InterruptionNotice Notice = new(InterruptionAction.Terminate,
        new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 1, 11, 58, 0, TimeSpan.Zero), "azure", InterruptionKind.Termination);

    private static ControllerNoticeReporter Reporter(Uri? controller, string? token = "ska_t") =>
        new(new AgentOptions { Port = 0, MachineId = "m-9", ControllerUrl = controller, ControllerToken = token },
            TimeProvider.System, NullLogger<ControllerNoticeReporter>.Instance);

    [Fact]
    public async Task The_notice_is_posted_once_with_the_token()
    {
        await using var controller = await ControllerStub.StartAsync();
        using var reporter = Reporter(controller.Url);

        Assert.True(await reporter.ReportAsync(Notice, CancellationToken.None));

        var (body, authorization, _) = Assert.Single(controller.Reports);
        Assert.Equal("Bearer ska_t", authorization);
        Assert.Equal("""{"machine_id":"m-9","deadline":"2026-03-01T12:00:00Z","source":"azure","action":"terminate","kind":"termination","received_at":"2026-03-01T11:58:00Z"}""",
            body.ToJsonString());
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task Passing_failures_are_retried_with_back_off(HttpStatusCode status)
    {
        await using var controller = await ControllerStub.StartAsync();
        controller.Answer(status, times: 3);
        using var reporter = Reporter(controller.Url);
        var started = DateTime.UtcNow;

        Assert.True(await reporter.ReportAsync(Notice, CancellationToken.None));

        Assert.Equal(4, controller.Attempts);
        Assert.Single(controller.Reports);
        // 250 + 500 + 1000 ms of back-off between the four attempts.
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(1700), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_refusal_is_not_retried()
    {
        await using var controller = await ControllerStub.StartAsync();
        controller.Answer(HttpStatusCode.Unauthorized, times: 100);
        using var reporter = Reporter(controller.Url);

        Assert.False(await reporter.ReportAsync(Notice, CancellationToken.None));
        Assert.Equal(1, controller.Attempts);
    }

    [Fact]
    public async Task A_controller_that_is_not_there_is_retried_until_it_is()
    {
        var port = FreePort.Next();
        using var reporter = Reporter(new Uri($"http://127.0.0.1:{port}"));
        var reporting = reporter.ReportAsync(Notice, CancellationToken.None);
        await Task.Delay(800); // a few refused connections

        Assert.False(reporting.IsCompleted);
        await using var controller = await ControllerStubOnPort(port);
        Assert.True(await reporting.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Single(controller.Reports);
    }

    [Fact]
    public async Task Without_a_controller_url_nothing_is_sent()
    {
        using var reporter = Reporter(null);
        Assert.False(await reporter.ReportAsync(Notice, CancellationToken.None));
    }

    private static Task<ControllerStub> ControllerStubOnPort(int port) => ControllerStub.StartAsync(port);
}
