using SkyServe.Contracts.Notices;
using System.Net;
using System.Text.Json;

namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>
/// EC2 spot interruption notices through IMDSv2: GET /latest/meta-data/spot/instance-action with a
/// session token answers 404 while there is no notice and {"action": ..., "time": ...} once there is.
/// </summary>
public sealed class AwsImdsNoticeSource : IInterruptionNoticeSource, IDisposable
{
    public const string TokenHeader = "X-aws-ec2-metadata-token";
    public const string InstanceActionPath = "latest/meta-data/spot/instance-action";

    private readonly HttpClient http;
    private readonly Uri instanceActionUrl;
    private readonly AwsImdsTokenCache tokens;

    public AwsImdsNoticeSource(Uri baseUrl, TimeProvider time)
    {
        http = MetadataHttp.CreateClient();
        instanceActionUrl = MetadataUrls.Append(baseUrl, InstanceActionPath);
        tokens = new AwsImdsTokenCache(http, baseUrl, time);
    }

    public string Name => "aws";

    public async Task<ScheduledInterruption?> CheckAsync(CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, instanceActionUrl);
            request.Headers.Add(TokenHeader, await tokens.GetAsync(ct));
            using var response = await http.SendAsync(request, ct);
            switch (response.StatusCode)
            {
                case HttpStatusCode.NotFound:
                    return null;
                case HttpStatusCode.OK:
                    return Parse(await response.Content.ReadAsStringAsync(ct));
                case HttpStatusCode.Unauthorized when attempt == 1:
                    tokens.Invalidate(); // expired or revoked: one retry with a fresh token
                    continue;
                default:
                    throw new MetadataServiceException($"GET {instanceActionUrl} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }
        }
    }

    private ScheduledInterruption Parse(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var action = root.GetProperty("action").GetString() switch
            {
                "terminate" => InterruptionAction.Terminate,
                "stop" => InterruptionAction.Stop,
                "hibernate" => InterruptionAction.Hibernate,
                var other => throw new MetadataServiceException($"GET {instanceActionUrl} answered an unknown action '{other}'"),
            };
            // Every instance-action is a spot interruption (rebalance recommendations have their own path).
            return new ScheduledInterruption(action, root.GetProperty("time").GetDateTimeOffset(), InterruptionKind.Preemption);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new MetadataServiceException($"GET {instanceActionUrl} answered a notice that is not AWS's format: {json}", e);
        }
    }

    public void Dispose() => http.Dispose();
}
