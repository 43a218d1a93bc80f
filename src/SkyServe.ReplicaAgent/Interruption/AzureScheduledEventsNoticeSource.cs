using SkyServe.Contracts.Notices;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>
/// Azure notices through Scheduled Events of the Instance Metadata Service, every request with
/// <c>Metadata: true</c> (IMDS answers 400 without it). GET <c>metadata/scheduledevents?api-version=2020-07-01</c>
/// answers <c>{"DocumentIncarnation": n, "Events": [...]}</c>; an event counts when its EventType is
/// <c>Preempt</c> (Spot eviction, at least 30 s ahead) or <c>Terminate</c>, its Resources name this VM and its
/// EventStatus is Scheduled or Started. Its NotBefore (RFC 1123, e.g. "Mon, 19 Sep 2016 18:29:47 GMT") is the
/// deadline; a Started event has none left, so its deadline is now. Reboot, Redeploy and Freeze keep the
/// machine, so they are not notices.
/// <para>
/// This VM's name, which Resources lists, comes once from <c>metadata/instance/compute/name</c>. Events are
/// not acknowledged (POST StartRequests): an acknowledgement lets Azure go ahead early, and the agent wants the
/// whole notice for the replacement to start and the requests in flight to finish.
/// </para>
/// </summary>
public sealed class AzureScheduledEventsNoticeSource(Uri baseUrl, TimeProvider time) : IInterruptionNoticeSource, IDisposable
{
    public const string MetadataHeader = "Metadata";
    public const string ScheduledEventsPath = "metadata/scheduledevents?api-version=2020-07-01";
    public const string ComputeNamePath = "metadata/instance/compute/name?api-version=2021-02-01&format=text";

    private readonly HttpClient http = MetadataHttp.CreateClient();
    private readonly Uri eventsUrl = MetadataUrls.Append(baseUrl, ScheduledEventsPath);
    private readonly Uri computeNameUrl = MetadataUrls.Append(baseUrl, ComputeNamePath);
    private string? vmName;

    public string Name => "azure";

    public async Task<ScheduledInterruption?> CheckAsync(CancellationToken ct)
    {
        vmName ??= await GetVmNameAsync(ct);
        var json = await GetAsync(eventsUrl, ct);
        try
        {
            using var document = JsonDocument.Parse(json);
            var events = document.RootElement.GetProperty("Events");
            ScheduledInterruption? earliest = null;
            foreach (var e in events.EnumerateArray())
            {
                if (Relevant(e, vmName) is { } notice && (earliest is null || notice.Time < earliest.Time))
                    earliest = notice;
            }
            return earliest;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new MetadataServiceException($"GET {eventsUrl} answered a document that is not Azure's Scheduled Events format: {json}", e);
        }
    }

    private ScheduledInterruption? Relevant(JsonElement e, string vm)
    {
        var kind = e.GetProperty("EventType").GetString() switch
        {
            "Preempt" => InterruptionKind.Preemption,
            "Terminate" => InterruptionKind.Termination,
            _ => (InterruptionKind?)null,
        };
        var status = e.GetProperty("EventStatus").GetString();
        if (kind is null || status is not ("Scheduled" or "Started"))
            return null;
        // Events of an availability set or scale set reach every VM in it; only ours counts.
        if (!e.GetProperty("Resources").EnumerateArray().Any(r => string.Equals(r.GetString(), vm, StringComparison.OrdinalIgnoreCase)))
            return null;
        var notBefore = e.TryGetProperty("NotBefore", out var value) ? value.GetString() : null;
        var deadline = string.IsNullOrWhiteSpace(notBefore)
            ? time.GetUtcNow()
            : DateTimeOffset.ParseExact(notBefore, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        return new ScheduledInterruption(InterruptionAction.Terminate, deadline, kind.Value);
    }

    private async Task<string> GetVmNameAsync(CancellationToken ct)
    {
        var name = (await GetAsync(computeNameUrl, ct)).Trim();
        return name.Length > 0 ? name : throw new MetadataServiceException($"GET {computeNameUrl} answered an empty VM name");
    }

    private async Task<string> GetAsync(Uri url, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add(MetadataHeader, "true");
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new MetadataServiceException($"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        return await response.Content.ReadAsStringAsync(ct);
    }

    public void Dispose() => http.Dispose();
}
