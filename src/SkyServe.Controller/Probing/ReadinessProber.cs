using System.Text;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Probing;

/// <summary>Runs a spec's readiness probe against a replica: GET, or POST with its data; only HTTP 200 counts.</summary>
public sealed class ReadinessProber(HttpClient http)
{
    public async Task<ProbeResult> ProbeAsync(string endpoint, ReadinessProbeSpec probe, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(probe.PostData is null ? HttpMethod.Get : HttpMethod.Post, endpoint.TrimEnd('/') + probe.Path);
        if (probe.PostData is not null)
            request.Content = new StringContent(probe.PostData, Encoding.UTF8, "application/json");
        foreach (var (name, value) in probe.Headers)
            request.Headers.TryAddWithoutValidation(name, value);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(probe.TimeoutSeconds));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return (int)response.StatusCode == 200
                ? ProbeResult.Ready
                : new ProbeResult(false, $"{request.Method} {probe.Path} answered {(int)response.StatusCode}");
        }
        catch (HttpRequestException e)
        {
            return new ProbeResult(false, $"{request.Method} {probe.Path} failed: {e.Message}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return new ProbeResult(false, $"{request.Method} {probe.Path} timed out after {probe.TimeoutSeconds} s");
        }
    }

    /// <summary>
    /// The interruption the ReplicaAgent reports on /health, if any: how notices reach the controller from
    /// clouds without an event feed (the agent watches IMDS, GCP metadata or Azure Scheduled Events).
    /// </summary>
    public async Task<AgentInterruption?> InterruptionAsync(string endpoint, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            // Read whatever the status: when /health is also the spec's readiness path, a replica that is not ready answers 503.
            using var response = await http.GetAsync(endpoint.TrimEnd('/') + "/health", timeout.Token);
            var health = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
            return health?["interruption"]?["time"]?.GetValue<string>() is { } time && DateTimeOffset.TryParse(time, out var deadline)
                ? new AgentInterruption(deadline)
                : null;
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException or InvalidOperationException
            or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return null;
        }
    }
}

/// <summary>An interruption the replica's agent read from its cloud's metadata service (its /health says so).</summary>
public sealed record AgentInterruption(DateTimeOffset Deadline);

public sealed record ProbeResult(bool Ok, string? Failure)
{
    public static readonly ProbeResult Ready = new(true, null);
}
