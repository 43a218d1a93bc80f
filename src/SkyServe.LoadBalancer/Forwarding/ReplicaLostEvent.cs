using System.Text;

namespace SkyServe.LoadBalancer.Forwarding;

/// <summary>
/// The server-sent event that ends a stream whose replica was lost mid-answer, in OpenAI's error shape, so that
/// clients (the openai SDKs among them) raise an error instead of taking the cut for a normal end of the answer.
/// </summary>
public static class ReplicaLostEvent
{
    public const string Code = "replica_lost";

    private static readonly byte[] Event = Encoding.UTF8.GetBytes(
        "data: {\"error\":{\"message\":\"the replica serving this stream was lost before the answer was complete; " +
        "retry the request\",\"type\":\"server_error\",\"code\":\"" + Code + "\"}}\n\n");

    /// <summary>
    /// The event's bytes, after whatever blank line the bytes already sent lack: an event cut off halfway is ended
    /// first, so that ours is parsed as an event of its own (<paramref name="last"/> is the last byte sent,
    /// <paramref name="beforeLast"/> the one before it).
    /// </summary>
    public static byte[] After(byte beforeLast, byte last)
    {
        var separator = last != '\n' ? "\n\n" : beforeLast != '\n' ? "\n" : "";
        return [.. Encoding.ASCII.GetBytes(separator), .. Event];
    }
}
