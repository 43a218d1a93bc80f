using SkyServe.Contracts.Notices;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using SkyServe.Core.Hosting;
using SkyServe.ReplicaAgent.Hosting;

namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>
/// Tells the controller about a notice the moment it arrives: POST {controller}/api/v1/agent/notices with the
/// machine id, the deadline and where it came from, as a bearer token the per-replica token the controller
/// gave at launch. The controller acts on it as on its cloud's own notice stream (the replica leaves rotation,
/// the replacement launches). Network errors, timeouts, 408, 429 and 5xx are retried with exponential back-off
/// (250 ms doubling to 8 s) for at most <see cref="ReportFor"/>; any other answer ends the attempt. The notice
/// stays on /health either way, where the controller's probe finds it too.
/// </summary>
public sealed class ControllerNoticeReporter(AgentOptions options, TimeProvider time, ILogger<ControllerNoticeReporter> logger) : IDisposable
{
    /// <summary>AWS's whole notice: by then the machine is gone, and reporting has no point.</summary>
    public static readonly TimeSpan ReportFor = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(8);
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), new UtcTimestampJsonConverter() },
    };

    // The controller is reached directly (same network, or loopback for the Local provider), never through a proxy.
    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = RequestTimeout };

    /// <summary>True once the controller accepted the notice; false without --controller-url, or when it gave up.</summary>
    public async Task<bool> ReportAsync(InterruptionNotice notice, CancellationToken ct)
    {
        if (options.ControllerUrl is not { } controller)
            return false;
        var url = MetadataUrls.Append(controller, AgentApi.Notices);
        var body = new AgentNoticeReport(options.MachineId, notice.Time, notice.Source, notice.Action, notice.Kind, notice.ReceivedAt);
        var started = time.GetTimestamp();
        var backoff = new Backoff(FirstRetryDelay, MaxRetryDelay);
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, options: Json) };
                if (options.ControllerToken is { } token)
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(request, ct);
                if (response.IsSuccessStatusCode)
                {
                    logger.NoticeReported(url, attempt);
                    return true;
                }
                failure = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                if (!IsWorthRetrying(response.StatusCode))
                {
                    var detail = await response.Content.ReadAsStringAsync(ct);
                    logger.NoticeRefusedByController(url, failure, detail.Length > 300 ? detail[..300] : detail);
                    return false;
                }
            }
            catch (HttpRequestException e)
            {
                failure = e.Message;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                failure = $"no answer within {RequestTimeout.TotalSeconds:0} s";
            }

            var delay = backoff.Next();
            if (time.GetElapsedTime(started) + delay > ReportFor)
            {
                logger.NoticeReportGaveUp(url, attempt, failure);
                return false;
            }
            logger.NoticeReportRetrying(url, attempt, failure, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, time, ct);
        }
    }

    private static bool IsWorthRetrying(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    public void Dispose() => http.Dispose();
}
