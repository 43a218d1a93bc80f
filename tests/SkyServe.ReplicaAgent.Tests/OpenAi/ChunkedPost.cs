using System.Net.Sockets;
using System.Text;

namespace SkyServe.ReplicaAgent.Tests.OpenAi;

/// <summary>
/// POSTs a body chunked (no Content-Length) over a plain socket and reads the answer while still sending, as a
/// client must when a server refuses a body part-way: HttpClient fails the whole request once the server closes.
/// </summary>
public static class ChunkedPost
{
    public sealed record Answer(int Status, string ContentType, string Body);

    public static async Task<Answer> SendAsync(Uri server, string path, byte[] body, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, cts.Token);
        var stream = client.GetStream();
        var head = $"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cts.Token);
        var sending = SendChunksAsync(stream, body, cts.Token);
        var answer = await ReadAnswerAsync(stream, cts.Token);
        await cts.CancelAsync();
        try
        {
            await sending;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // The server stopped reading: that is what this helper is for.
        }
        return answer;
    }

    private static async Task SendChunksAsync(NetworkStream stream, byte[] body, CancellationToken ct)
    {
        const int chunk = 64 * 1024;
        for (var at = 0; at < body.Length; at += chunk)
        {
            var length = Math.Min(chunk, body.Length - at);
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"{length:x}\r\n"), ct);
            await stream.WriteAsync(body.AsMemory(at, length), ct);
            await stream.WriteAsync("\r\n"u8.ToArray(), ct);
        }
        await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), ct);
    }

    /// <summary>Reads one response, its body sized by Content-Length or chunked (as Kestrel sends a JSON result).</summary>
    private static async Task<Answer> ReadAnswerAsync(NetworkStream stream, CancellationToken ct)
    {
        var received = new List<byte>();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            if (TryParse(received.ToArray()) is { } answer)
                return answer;
            var read = await stream.ReadAsync(buffer, ct);
            if (read == 0)
                throw new IOException($"the connection closed before a whole answer came: {Encoding.UTF8.GetString(received.ToArray())}");
            received.AddRange(buffer.AsSpan(0, read));
        }
    }

    private static Answer? TryParse(byte[] received)
    {
        var text = Encoding.Latin1.GetString(received); // one char per byte, so indexes are byte offsets
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0)
            return null;
        var lines = text[..end].Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var status = int.Parse(lines[0].Split(' ')[1]);
        var contentType = headers.GetValueOrDefault("Content-Type", "");
        var at = end + 4;
        if (headers.TryGetValue("Content-Length", out var length))
            return received.Length >= at + int.Parse(length) ? new Answer(status, contentType, Encoding.UTF8.GetString(received, at, int.Parse(length))) : null;
        var body = new List<byte>();
        while (true) // chunked: hex size, CRLF, data, CRLF; a size of 0 ends it
        {
            var sizeEnd = text.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (sizeEnd < 0)
                return null;
            var size = Convert.ToInt32(text[at..sizeEnd].Split(';')[0], 16);
            if (size == 0)
                return new Answer(status, contentType, Encoding.UTF8.GetString(body.ToArray()));
            if (received.Length < sizeEnd + 2 + size + 2)
                return null;
            body.AddRange(received.AsSpan(sizeEnd + 2, size));
            at = sizeEnd + 2 + size + 2;
        }
    }
}
