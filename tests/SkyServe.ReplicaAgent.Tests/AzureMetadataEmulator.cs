using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// Azure's Instance Metadata Service for one VM under a base path like the Local provider's /machines/{id}:
/// GET metadata/scheduledevents answers {"DocumentIncarnation": n, "Events": [...]} (the incarnation goes up
/// with every change), POST takes {"StartRequests": [{"EventId": ...}]} acknowledgements; GET
/// metadata/instance/compute/name?format=text answers the VM's name. As IMDS does, every request needs
/// <c>Metadata: true</c> and an api-version, and carries no X-Forwarded-For; otherwise it answers 400 with
/// IMDS's JSON error.
/// </summary>
public sealed class AzureMetadataEmulator : IMetadataEmulator
{
    private readonly WebApplication app;
    private readonly Lock gate = new();
    private readonly List<JsonObject> events = [];
    private readonly List<string> acknowledged = [];
    private int incarnation = 1;
    private volatile int failWithStatus;
    private int noticeRequests;
    private int refusedRequests;
    private int nameRequests;

    private AzureMetadataEmulator(WebApplication app, string vmName)
    {
        this.app = app;
        VmName = vmName;
    }

    public string Format => "azure";
    public string VmName { get; }
    public Uri BaseUrl { get; private set; } = new("http://invalid");
    public int NoticeRequests => Volatile.Read(ref noticeRequests);
    public int RefusedRequests => Volatile.Read(ref refusedRequests);
    public int NameRequests => Volatile.Read(ref nameRequests);

    public IReadOnlyList<string> Acknowledged
    {
        get { lock (gate) return acknowledged.ToList(); }
    }

    /// <summary>The VM's name in IMDS is the machine id, as the Local provider serves it.</summary>
    public static async Task<AzureMetadataEmulator> StartAsync(string machineId = "m-123")
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var emulator = new AzureMetadataEmulator(app, machineId);
        var prefix = $"/machines/{machineId}/metadata";
        app.MapGet($"{prefix}/scheduledevents", emulator.GetEvents);
        app.MapPost($"{prefix}/scheduledevents", emulator.StartEventsAsync);
        app.MapGet($"{prefix}/instance/compute/name", emulator.GetName);
        await app.StartAsync();
        emulator.BaseUrl = new Uri(app.Urls.First() + $"/machines/{machineId}");
        return emulator;
    }

    public void Announce(DateTimeOffset deadline) => AddEvent("Preempt", [VmName], deadline);

    /// <summary>Adds one event in IMDS's shape; a null <paramref name="notBefore"/> is the empty NotBefore of a Started event.</summary>
    public string AddEvent(string type, string[] resources, DateTimeOffset? notBefore, string status = "Scheduled", string source = "Platform")
    {
        var id = Guid.NewGuid().ToString().ToUpperInvariant();
        lock (gate)
        {
            events.Add(new JsonObject
            {
                ["EventId"] = id,
                ["EventStatus"] = status,
                ["EventType"] = type,
                ["ResourceType"] = "VirtualMachine",
                ["Resources"] = new JsonArray(resources.Select(r => (JsonNode)JsonValue.Create(r)).ToArray()),
                ["NotBefore"] = notBefore?.UtcDateTime.ToString("r", CultureInfo.InvariantCulture) ?? "",
                ["Description"] = type == "Preempt" ? "The Virtual Machine is being evicted." : "",
                ["EventSource"] = source,
                ["DurationInSeconds"] = -1,
            });
            incarnation++;
        }
        return id;
    }

    public void FailWith(HttpStatusCode status) => failWithStatus = (int)status;

    public void Recover() => failWithStatus = 0;

    private IResult GetEvents(HttpRequest request)
    {
        Interlocked.Increment(ref noticeRequests);
        if (Refuse(request) is { } refused)
            return refused;
        lock (gate)
            return Results.Content(new JsonObject
            {
                ["DocumentIncarnation"] = incarnation,
                ["Events"] = new JsonArray(events.Select(e => e.DeepClone()).ToArray()),
            }.ToJsonString(), "application/json");
    }

    private async Task<IResult> StartEventsAsync(HttpRequest request)
    {
        if (Refuse(request) is { } refused)
            return refused;
        var body = await JsonNode.ParseAsync(request.Body);
        lock (gate)
            foreach (var start in body?["StartRequests"]?.AsArray() ?? [])
                acknowledged.Add(start!["EventId"]!.GetValue<string>());
        return Results.Ok();
    }

    private IResult GetName(HttpRequest request)
    {
        Interlocked.Increment(ref nameRequests);
        if (Refuse(request) is { } refused)
            return refused;
        return request.Query["format"] == "text" ? Results.Text(VmName, "text/plain") : Results.Json(VmName);
    }

    private IResult? Refuse(HttpRequest request)
    {
        if (failWithStatus != 0)
            return Results.StatusCode(failWithStatus);
        var error = request.Headers["Metadata"] != "true" ? "Bad request. Required metadata header not specified"
            : request.Headers.ContainsKey("X-Forwarded-For") ? "Bad request. The request contains an X-Forwarded-For header"
            : string.IsNullOrEmpty(request.Query["api-version"]) ? "Bad request. api-version was not specified in the request"
            : null;
        if (error is null)
            return null;
        Interlocked.Increment(ref refusedRequests);
        return Results.Content(JsonSerializer.Serialize(new { error }), "application/json", statusCode: StatusCodes.Status400BadRequest);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
