using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// Compute Engine's metadata server for one machine under a base path like the Local provider's
/// /machines/{id}: GET computeMetadata/v1/instance/preempted answers FALSE, then TRUE once preempted;
/// instance/maintenance-event answers NONE, or what the test sets. As the real server does, it answers 403
/// to a request without <c>Metadata-Flavor: Google</c> or with X-Forwarded-For, and stamps
/// <c>Metadata-Flavor: Google</c> on its answers (text/plain, with an ETag).
/// </summary>
public sealed class GcpMetadataEmulator : IMetadataEmulator
{
    private readonly WebApplication app;
    private volatile string preempted = "FALSE";
    private volatile string maintenanceEvent = "NONE";
    private volatile int failWithStatus;
    private volatile bool omitFlavorHeader;
    private int noticeRequests;
    private int refusedRequests;

    private GcpMetadataEmulator(WebApplication app) => this.app = app;

    public string Format => "gcp";
    public Uri BaseUrl { get; private set; } = new("http://invalid");
    public int NoticeRequests => Volatile.Read(ref noticeRequests);
    public int RefusedRequests => Volatile.Read(ref refusedRequests);

    public static async Task<GcpMetadataEmulator> StartAsync(string machineId = "m-123")
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var emulator = new GcpMetadataEmulator(app);
        var prefix = $"/machines/{machineId}/computeMetadata/v1/instance";
        app.MapGet($"{prefix}/preempted", (HttpContext http) => emulator.Answer(http, () => emulator.preempted, countsAsNotice: true));
        app.MapGet($"{prefix}/maintenance-event", (HttpContext http) => emulator.Answer(http, () => emulator.maintenanceEvent, countsAsNotice: false));
        app.MapGet($"{prefix}/name", (HttpContext http) => emulator.Answer(http, () => machineId, countsAsNotice: false));
        await app.StartAsync();
        emulator.BaseUrl = new Uri(app.Urls.First() + $"/machines/{machineId}");
        return emulator;
    }

    public void Announce(DateTimeOffset deadline) => preempted = "TRUE";

    /// <summary>Any value at all for instance/preempted.</summary>
    public void SetPreempted(string value) => preempted = value;

    public void SetMaintenanceEvent(string value) => maintenanceEvent = value;

    /// <summary>Answers like some other server on the metadata address: right paths, no Metadata-Flavor on the answer.</summary>
    public void OmitFlavorHeader() => omitFlavorHeader = true;

    public void FailWith(HttpStatusCode status) => failWithStatus = (int)status;

    public void Recover() => failWithStatus = 0;

    private IResult Answer(HttpContext http, Func<string> value, bool countsAsNotice)
    {
        if (countsAsNotice)
            Interlocked.Increment(ref noticeRequests);
        if (failWithStatus != 0)
            return Results.StatusCode(failWithStatus);
        var request = http.Request;
        if (request.Headers["Metadata-Flavor"] != "Google" || request.Headers.ContainsKey("X-Forwarded-For"))
        {
            Interlocked.Increment(ref refusedRequests);
            return Results.Text("Your client does not have permission to get URL from this server. Missing Metadata-Flavor:Google header.",
                "text/html", statusCode: StatusCodes.Status403Forbidden);
        }
        if (!omitFlavorHeader)
            http.Response.Headers["Metadata-Flavor"] = "Google";
        var text = value();
        http.Response.Headers.ETag = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)))[..16].ToLowerInvariant();
        return Results.Text(text, "application/text");
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
