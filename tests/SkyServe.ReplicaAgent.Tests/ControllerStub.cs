using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// The controller's POST api/v1/agent/notices on a real loopback port, keeping every report it receives
/// (body and Authorization header). It can answer a status a number of times first, to exercise the agent's retries.
/// </summary>
public sealed class ControllerStub : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<(JsonObject Body, string Authorization, DateTimeOffset At)> reports = new();
    private int attempts;
    private int failuresLeft;
    private int failureStatus;

    private ControllerStub(WebApplication app) => this.app = app;

    public Uri Url { get; private set; } = new("http://invalid");
    public int Attempts => Volatile.Read(ref attempts);
    public IReadOnlyList<(JsonObject Body, string Authorization, DateTimeOffset At)> Reports => reports.ToList();

    public static async Task<ControllerStub> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var stub = new ControllerStub(app);
        app.MapPost("/api/v1/agent/notices", stub.ReceiveAsync);
        await app.StartAsync();
        stub.Url = new Uri(app.Urls.First());
        return stub;
    }

    /// <summary>The next <paramref name="times"/> reports are answered with <paramref name="status"/>.</summary>
    public void Answer(HttpStatusCode status, int times)
    {
        failureStatus = (int)status;
        Volatile.Write(ref failuresLeft, times);
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        Interlocked.Increment(ref attempts);
        var body = (JsonObject)(await JsonNode.ParseAsync(request.Body))!;
        if (Interlocked.Decrement(ref failuresLeft) >= 0)
            return Results.StatusCode(failureStatus);
        reports.Enqueue((body, request.Headers.Authorization.ToString(), DateTimeOffset.UtcNow));
        return Results.Ok(new { applied = true });
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
