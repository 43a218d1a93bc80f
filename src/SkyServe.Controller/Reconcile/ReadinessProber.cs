using System.Text;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Reconcile;

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
}

public sealed record ProbeResult(bool Ok, string? Failure)
{
    public static readonly ProbeResult Ready = new(true, null);
}
