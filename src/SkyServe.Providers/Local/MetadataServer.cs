using System.Collections.Concurrent;
using System.Collections.Immutable;
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
/// A loopback instance-metadata service, one tree per machine under /machines/{id}, in each simulated cloud's
/// format (the agent of a machine in a gcp zone is started with --metadata-format gcp, and so on):
/// <list type="bullet">
/// <item>AWS IMDSv2: PUT latest/api/token, then GET latest/meta-data/spot/instance-action with that token
/// (401 without it; 404 until the machine is reclaimed, then {"action": "terminate", "time": ...}).</item>
/// <item>GCP: GET computeMetadata/v1/instance/preempted (FALSE, then TRUE) and instance/maintenance-event
/// (NONE), 403 without <c>Metadata-Flavor: Google</c>; answers carry that header too.</item>
/// <item>Azure: GET metadata/scheduledevents?api-version=... ({"DocumentIncarnation": n, "Events": [...]}, a
/// Preempt event for the machine with the deadline as NotBefore once reclaimed), and
/// metadata/instance/compute/name (the machine id), 400 without <c>Metadata: true</c> or an api-version.</item>
/// </list>
/// Besides, GET <see cref="RuntimeIdPath"/> names the local runtime it serves (<see cref="LocalState.RuntimeId"/>), so
/// that another process of that runtime finding the port taken can tell its own runtime's server from a stranger.
/// </summary>
public sealed class MetadataServer : IAsyncDisposable
{
    public const string RuntimeIdPath = "/local-runtime/id";

    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, string> tokens = new();
    private ImmutableDictionary<string, DateTimeOffset> notices = ImmutableDictionary<string, DateTimeOffset>.Empty;

    private MetadataServer(WebApplication app) => this.app = app;

    public int Port { get; private set; }

    public string UrlFor(string machineId) => UrlFor(Port, machineId);

    /// <summary>A machine's metadata URL on the endpoint at <paramref name="port"/>.</summary>
    public static string UrlFor(int port, string machineId) => $"http://127.0.0.1:{port}/machines/{machineId}";

    public void PostNotice(string machineId, DateTimeOffset deadline) => ImmutableInterlocked.AddOrUpdate(ref notices, machineId, deadline, (_, _) => deadline);

    /// <summary>Serves exactly these notices from now on (the ones in the shared state).</summary>
    public void ReplaceNotices(IEnumerable<KeyValuePair<string, DateTimeOffset>> current) =>
        Volatile.Write(ref notices, ImmutableDictionary.CreateRange(current));

    /// <summary>Starts on <paramref name="port"/> (0: any free port; a taken port falls back to any).</summary>
    public static async Task<MetadataServer> StartAsync(int port)
    {
        try
        {
            return await BindAsync(port);
        }
        catch (IOException) when (port != 0)
        {
            return await BindAsync(0);
        }
    }

    /// <summary>Starts on <paramref name="port"/> (0: any free port).</summary>
    /// <exception cref="IOException">The port is taken.</exception>
    public static async Task<MetadataServer> BindAsync(int port, string? runtimeId = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new MetadataServer(app);
        app.MapGet(RuntimeIdPath, () => Results.Text(runtimeId ?? ""));
        app.MapPut("/machines/{id}/latest/api/token", server.IssueToken);
        app.MapGet("/machines/{id}/latest/meta-data/spot/instance-action", server.InstanceAction);
        app.MapGet("/machines/{id}/latest/meta-data/instance-id", (string id, HttpRequest request) =>
            server.Authorized(id, request) ? Results.Text(id) : Results.StatusCode(StatusCodes.Status401Unauthorized));
        app.MapGet("/machines/{id}/computeMetadata/v1/instance/preempted", (string id, HttpContext http) =>
            Gcp(http, () => server.notices.ContainsKey(id) ? "TRUE" : "FALSE"));
        app.MapGet("/machines/{id}/computeMetadata/v1/instance/maintenance-event", (HttpContext http) => Gcp(http, () => "NONE"));
        app.MapGet("/machines/{id}/computeMetadata/v1/instance/name", (string id, HttpContext http) => Gcp(http, () => id));
        app.MapGet("/machines/{id}/metadata/scheduledevents", (string id, HttpRequest request) =>
            Azure(request, () => Results.Json(server.ScheduledEvents(id))));
        app.MapPost("/machines/{id}/metadata/scheduledevents", (HttpRequest request) => Azure(request, () => Results.Ok())); // acknowledgements change nothing here
        app.MapGet("/machines/{id}/metadata/instance/compute/name", (string id, HttpRequest request) =>
            Azure(request, () => request.Query["format"] == "text" ? Results.Text(id) : Results.Json(id)));
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

    private static IResult Gcp(HttpContext http, Func<string> value)
    {
        if (http.Request.Headers["Metadata-Flavor"] != "Google" || http.Request.Headers.ContainsKey("X-Forwarded-For"))
            return Results.Text("Missing Metadata-Flavor:Google header.", "text/html", statusCode: StatusCodes.Status403Forbidden);
        http.Response.Headers["Metadata-Flavor"] = "Google";
        return Results.Text(value(), "application/text");
    }

    private static IResult Azure(HttpRequest request, Func<IResult> answer)
    {
        var error = request.Headers["Metadata"] != "true" ? "Bad request. Required metadata header not specified"
            : request.Headers.ContainsKey("X-Forwarded-For") ? "Bad request. The request contains an X-Forwarded-For header"
            : string.IsNullOrEmpty(request.Query["api-version"]) ? "Bad request. api-version was not specified in the request"
            : null;
        return error is null ? answer() : Results.Json(new { error }, statusCode: StatusCodes.Status400BadRequest);
    }

    private object ScheduledEvents(string id)
    {
        if (!notices.TryGetValue(id, out var deadline))
            return new Dictionary<string, object> { ["DocumentIncarnation"] = 1, ["Events"] = Array.Empty<object>() };
        return new Dictionary<string, object>
        {
            ["DocumentIncarnation"] = 2,
            ["Events"] = new[]
            {
                new Dictionary<string, object>
                {
                    ["EventId"] = new Guid(MD5.HashData(System.Text.Encoding.UTF8.GetBytes(id))).ToString().ToUpperInvariant(),
                    ["EventStatus"] = "Scheduled",
                    ["EventType"] = "Preempt",
                    ["ResourceType"] = "VirtualMachine",
                    ["Resources"] = new[] { id },
                    // RFC 1123 has whole seconds: rounded down, the stated deadline is never later than the real one.
                    ["NotBefore"] = deadline.UtcDateTime.ToString("r", System.Globalization.CultureInfo.InvariantCulture),
                    ["Description"] = "The Virtual Machine is being evicted.",
                    ["EventSource"] = "Platform",
                    ["DurationInSeconds"] = -1,
                },
            },
        };
    }

    private bool Authorized(string id, HttpRequest request) =>
        tokens.TryGetValue(id, out var token) && request.Headers["X-aws-ec2-metadata-token"] == token;

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
