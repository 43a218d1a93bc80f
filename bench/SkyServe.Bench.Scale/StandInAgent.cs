using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SkyServe.Bench.Scale;

/// <summary>
/// One Kestrel server on 0.0.0.0:port standing in for the ReplicaAgent of every emulated VM: the EC2 emulator gives each
/// VM its own loopback address (127.z.x.y), the controller probes http://that-address:port, and all of them land here.
/// The connection's local address tells which VM was asked. Every path answers 200 ({"status":"ok"} on /health), except
/// on an address marked failing: 503 to everything, or (mode "reset") the connection is aborted.
/// </summary>
public sealed class StandInAgent : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, byte> failing = new(StringComparer.Ordinal);
    private readonly bool reset;
    private long requests;
    private long failed;

    private StandInAgent(WebApplication app, bool reset)
    {
        this.app = app;
        this.reset = reset;
    }

    public int Port { get; private set; }

    public long Requests => Interlocked.Read(ref requests);

    /// <summary>Requests answered 503 or reset because their address was marked failing.</summary>
    public long FailedRequests => Interlocked.Read(ref failed);

    public static async Task<StandInAgent> StartAsync(string failureMode, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://0.0.0.0:0");
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxConcurrentConnections = null; // one keep-alive connection per replica from the controller's prober
            k.AddServerHeader = false;
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var agent = new StandInAgent(app, failureMode == "reset");
        app.Run(agent.HandleAsync);
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        agent.Port = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)).Port;
        return agent;
    }

    public void MarkFailing(string address) => failing[address] = 0;

    public void Heal(string address) => failing.TryRemove(address, out _);

    private Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref requests);
        var local = context.Connection.LocalIpAddress;
        if (local is { IsIPv4MappedToIPv6: true })
            local = local.MapToIPv4();
        if (local is not null && !failing.IsEmpty && failing.ContainsKey(local.ToString()))
        {
            Interlocked.Increment(ref failed);
            if (reset)
            {
                context.Abort();
                return Task.CompletedTask;
            }
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"status":"failing"}""");
        }
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(context.Request.Path == "/health" ? """{"status":"ok"}""" : """{"status":"ready"}""");
    }

    /// <summary>The VM address in a replica's endpoint (http://127.1.0.5:port → 127.1.0.5).</summary>
    public static string AddressOf(string endpoint) => new Uri(endpoint).Host;

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await app.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }
        await app.DisposeAsync();
    }

    /// <summary>Whether this machine routes <paramref name="address"/> to loopback (Linux routes all of 127.0.0.0/8).</summary>
    public static bool IsLoopback(string address) => IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip);
}
