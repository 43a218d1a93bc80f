using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// AWS's instance metadata service, IMDSv2 only (tokens required, as on instances launched with
/// http-tokens=required), for one machine under a base path like the Local provider's
/// /machines/{id}: PUT latest/api/token issues a session token; GET
/// latest/meta-data/spot/instance-action answers 401 without a valid token, 404 while there is no
/// notice, and the notice JSON once there is.
/// </summary>
public sealed class ImdsEmulator : IMetadataEmulator
{
    private const string TtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
    private const string TokenHeader = "X-aws-ec2-metadata-token";

    private readonly WebApplication app;
    private readonly TimeProvider time;
    private readonly ConcurrentDictionary<string, DateTimeOffset> tokenExpiries = new();
    private volatile string? notice;
    private volatile int failWithStatus;
    private int tokenRequests;
    private int actionRequests;
    private int unauthorizedRequests;

    private ImdsEmulator(WebApplication app, TimeProvider time)
    {
        this.app = app;
        this.time = time;
    }

    /// <summary>The base URL handed to the agent's --metadata-url.</summary>
    public Uri BaseUrl { get; private set; } = new("http://invalid");

    public int TokenRequests => Volatile.Read(ref tokenRequests);
    public int InstanceActionRequests => Volatile.Read(ref actionRequests);
    public int UnauthorizedRequests => Volatile.Read(ref unauthorizedRequests);

    public string Format => "aws";
    public int NoticeRequests => InstanceActionRequests;
    public int RefusedRequests => UnauthorizedRequests;

    public void Announce(DateTimeOffset deadline) =>
        SetNotice("terminate", deadline.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    public static async Task<ImdsEmulator> StartAsync(string machineId = "m-123", TimeProvider? time = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var prefix = $"/machines/{machineId}";
        var emulator = new ImdsEmulator(app, time ?? TimeProvider.System);
        app.MapPut($"{prefix}/latest/api/token", emulator.IssueToken);
        app.MapGet($"{prefix}/latest/meta-data/spot/instance-action", emulator.InstanceAction);
        await app.StartAsync();
        emulator.BaseUrl = new Uri(app.Urls.First() + prefix);
        return emulator;
    }

    /// <summary>From now on instance-action answers this notice (AWS's JSON, as-is).</summary>
    public void SetNotice(string action, string time) =>
        notice = $$"""{"action": "{{action}}", "time": "{{time}}"}""";

    /// <summary>Any body at all, for notices that are not in AWS's format.</summary>
    public void SetRawNotice(string body) => notice = body;

    /// <summary>Every request answers this status (e.g. 500) until <see cref="Recover"/>.</summary>
    public void FailWith(HttpStatusCode status) => failWithStatus = (int)status;

    public void Recover() => failWithStatus = 0;

    /// <summary>Forgets every issued token, as a restarted metadata service would.</summary>
    public void RevokeTokens() => tokenExpiries.Clear();

    private IResult IssueToken(HttpRequest request)
    {
        Interlocked.Increment(ref tokenRequests);
        if (failWithStatus != 0)
            return Results.StatusCode(failWithStatus);
        if (request.Headers.ContainsKey("X-Forwarded-For")) // AWS refuses tokens to requests that went through a proxy
            return Results.StatusCode(StatusCodes.Status403Forbidden);
        if (!int.TryParse(request.Headers[TtlHeader], NumberStyles.None, CultureInfo.InvariantCulture, out var ttl) || ttl is < 1 or > 21600)
            return Results.StatusCode(StatusCodes.Status400BadRequest);

        var token = Convert.ToBase64String(Guid.NewGuid().ToByteArray());
        tokenExpiries[token] = time.GetUtcNow().AddSeconds(ttl);
        request.HttpContext.Response.Headers[TtlHeader] = ttl.ToString(CultureInfo.InvariantCulture);
        return Results.Text(token);
    }

    private IResult InstanceAction(HttpRequest request)
    {
        Interlocked.Increment(ref actionRequests);
        if (failWithStatus != 0)
            return Results.StatusCode(failWithStatus);
        if (!tokenExpiries.TryGetValue(request.Headers[TokenHeader].ToString(), out var expiry) || time.GetUtcNow() >= expiry)
        {
            Interlocked.Increment(ref unauthorizedRequests);
            return Results.StatusCode(StatusCodes.Status401Unauthorized);
        }
        return notice is { } body ? Results.Text(body) : Results.NotFound();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
