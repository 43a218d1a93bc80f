using SkyServe.Contracts.Notices;
using System.Text.Json;

namespace SkyServe.Providers.Aws.Sqs;

/// <summary>
/// Reads the EventBridge events an interruption queue carries. "EC2 Spot Instance Interruption Warning"
/// (detail: instance-id, instance-action) comes two minutes before EC2 takes the instance; other events
/// (rebalance recommendations, state changes) are not interruptions and yield null.
/// </summary>
public static class SpotInterruptionEvent
{
    public const string DetailType = "EC2 Spot Instance Interruption Warning";

    /// <summary>The notice lead AWS gives for a spot interruption.</summary>
    public static readonly TimeSpan Lead = TimeSpan.FromMinutes(2);

    public static InterruptionNotice? Parse(string body, DateTimeOffset receivedAt)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || Text(root, "source") != "aws.ec2"
                || Text(root, "detail-type") != DetailType
                || !root.TryGetProperty("detail", out var detail)
                || Text(detail, "instance-id") is not { Length: > 0 } instanceId)
                return null;
            var emitted = root.TryGetProperty("time", out var time) && time.TryGetDateTimeOffset(out var t) ? t : receivedAt;
            return new InterruptionNotice(instanceId, InterruptionKind.Preemption, emitted + Lead, receivedAt);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
