using SkyServe.Contracts.Notices;
using System.Net;

namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>
/// Compute Engine notices through the metadata server, every request with <c>Metadata-Flavor: Google</c>
/// (the server answers 403 without it, and stamps the same header on its answers, which is checked here):
/// <list type="bullet">
/// <item><c>instance/preempted</c> answers <c>FALSE</c>, and <c>TRUE</c> once a spot or preemptible VM is being
/// preempted. GCP states no deadline; it gives about 30 s, so the deadline is the moment TRUE was first seen plus
/// <see cref="PreemptionNotice"/>.</item>
/// <item><c>instance/maintenance-event</c> answers <c>NONE</c>, <c>MIGRATE_ON_HOST_MAINTENANCE</c> (a live migration:
/// the VM keeps running, so no notice) or <c>TERMINATE_ON_HOST_MAINTENANCE</c> (GPU VMs: the VM stops about 60 s
/// later, <see cref="MaintenanceNotice"/>).</item>
/// </list>
/// Both keys are polled with plain GETs at the watcher's interval rather than hanging on
/// <c>?wait_for_change=true</c>: one loop serves all three clouds with one error and back-off policy, two keys
/// would need two hanging requests, and a 1 s poll costs at most 1 s of the 30 s notice.
/// </summary>
public sealed class GcpMetadataNoticeSource(Uri baseUrl, TimeProvider time) : IInterruptionNoticeSource, IDisposable
{
    public const string FlavorHeader = "Metadata-Flavor";
    public const string Flavor = "Google";
    public const string PreemptedPath = "computeMetadata/v1/instance/preempted";
    public const string MaintenanceEventPath = "computeMetadata/v1/instance/maintenance-event";

    /// <summary>What Compute Engine gives a preempted VM before it stops it.</summary>
    public static readonly TimeSpan PreemptionNotice = TimeSpan.FromSeconds(30);

    /// <summary>What maintenance-event gives before host maintenance begins.</summary>
    public static readonly TimeSpan MaintenanceNotice = TimeSpan.FromSeconds(60);

    private readonly HttpClient http = MetadataHttp.CreateClient();
    private readonly Uri preemptedUrl = MetadataUrls.Append(baseUrl, PreemptedPath);
    private readonly Uri maintenanceEventUrl = MetadataUrls.Append(baseUrl, MaintenanceEventPath);

    public string Name => "gcp";

    public async Task<ScheduledInterruption?> CheckAsync(CancellationToken ct)
    {
        var preempted = await GetValueAsync(preemptedUrl, ct);
        switch (preempted)
        {
            case "TRUE":
                return new ScheduledInterruption(InterruptionAction.Terminate, time.GetUtcNow() + PreemptionNotice, InterruptionKind.Preemption);
            case "FALSE":
                break;
            default:
                throw new MetadataServiceException($"GET {preemptedUrl} answered '{preempted}', not TRUE or FALSE");
        }

        // Unknown values (GCP adds some from time to time) are no reason to leave: only a stated termination counts.
        return await GetValueAsync(maintenanceEventUrl, ct) == "TERMINATE_ON_HOST_MAINTENANCE"
            ? new ScheduledInterruption(InterruptionAction.Terminate, time.GetUtcNow() + MaintenanceNotice, InterruptionKind.Maintenance)
            : null;
    }

    private async Task<string> GetValueAsync(Uri url, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add(FlavorHeader, Flavor);
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new MetadataServiceException($"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        // Google's client libraries check this too: anything else listening there is not the metadata server.
        if (!response.Headers.TryGetValues(FlavorHeader, out var flavor) || !flavor.Contains(Flavor))
            throw new MetadataServiceException($"GET {url} answered without '{FlavorHeader}: {Flavor}': not a GCP metadata server");
        return (await response.Content.ReadAsStringAsync(ct)).Trim();
    }

    public void Dispose() => http.Dispose();
}
