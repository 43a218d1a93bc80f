using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SkyServe.Providers.Local;

/// <summary>
/// A loopback instance-metadata service in AWS's IMDSv2 format, one tree per machine under
/// /machines/{id}: PUT latest/api/token, then GET latest/meta-data/spot/instance-action with that token
/// (404 until the machine is reclaimed, then {"action": "terminate", "time": ...}).
/// </summary>
public sealed class MetadataServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, DateTimeOffset> notices = new();
    private readonly ConcurrentDictionary<string, string> tokens = new();

    private MetadataServer(WebApplication app) => this.app = app;

    public int Port { get; private set; }

    public string UrlFor(string machineId) => $"http://127.0.0.1:{Port}/machines/{machineId}";

    public void PostNotice(string machineId, DateTimeOffset deadline) => notices[machineId] = deadline;

    /// <summary>Starts on <paramref name="port"/> (0: any free port; a taken port falls back to any).</summary>
    public static async Task<MetadataServer> StartAsync(int port)
    {
        try
        {
            return await StartOnAsync(port);
        }
        catch (IOException) when (port != 0)
        {
            return await StartOnAsync(0);
        }
    }

    private static async Task<MetadataServer> StartOnAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new MetadataServer(app);
        app.MapPut("/machines/{id}/latest/api/token", server.IssueToken);
        app.MapGet("/machines/{id}/latest/meta-data/spot/instance-action", server.InstanceAction);
        app.MapGet("/machines/{id}/latest/meta-data/instance-id", (string id, HttpRequest request) =>
            server.Authorized(id, request) ? Results.Text(id) : Results.StatusCode(StatusCodes.Status401Unauthorized));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address).Port;
        return server;
    }

    private IResult IssueToken(string id, HttpRequest request)
    {
        // IMDSv2 insists on the TTL header; without it AWS answers 400.
        if (!int.TryParse(request.Headers["X-aws-ec2-metadata-token-ttl-seconds"], out var ttl) || ttl is < 1 or > 21600)
            return Results.StatusCode(StatusCodes.Status400BadRequest);
        var token = tokens.GetOrAdd(id, _ => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        return Results.Text(token);
    }

    private IResult InstanceAction(string id, HttpRequest request)
    {
        if (!Authorized(id, request))
            return Results.StatusCode(StatusCodes.Status401Unauthorized);
        return notices.TryGetValue(id, out var deadline)
            ? Results.Json(new { action = "terminate", time = deadline.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ") })
            : Results.NotFound();
    }

    private bool Authorized(string id, HttpRequest request) =>
        tokens.TryGetValue(id, out var token) && request.Headers["X-aws-ec2-metadata-token"] == token;

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
