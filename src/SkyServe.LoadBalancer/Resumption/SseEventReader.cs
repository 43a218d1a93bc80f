using System.Buffers;

namespace SkyServe.LoadBalancer.Resumption;

/// <summary>
/// Reads server-sent events off a replica's stream, one whole event at a time: its data lines joined, as UTF-8. An event
/// cut off before its blank line is never returned, so that only what the replica finished saying is passed on.
/// </summary>
/// <param name="beforeWaiting">
/// Called whenever the reader is about to wait for the replica, so that what was passed on so far goes out then: events
/// that arrived together leave in one send, and none waits behind a slow replica.
/// </param>
internal sealed class SseEventReader(Stream stream, Func<ValueTask> beforeWaiting)
{
    /// <summary>One event larger than this is no answer of an OpenAI server.</summary>
    private const int MaxEventBytes = 8 << 20;

    private readonly ArrayBufferWriter<byte> data = new(1024);
    private bool hasData;
    private byte[] buffer = new byte[16 * 1024];
    private int start;
    private int end;

    /// <summary>
    /// The next event's data, or null once the stream ended (the rest of a cut event is dropped). The bytes are valid until
    /// the next call.
    /// </summary>
    /// <exception cref="InvalidDataException">An event is larger than any OpenAI server sends.</exception>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadAsync(CancellationToken cancellationToken)
    {
        if (!hasData)
            data.ResetWrittenCount();
        while (true)
        {
            var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
            if (newline >= 0)
            {
                var lineEnd = newline > start && buffer[newline - 1] == '\r' ? newline - 1 : newline;
                var line = buffer.AsSpan(start, lineEnd - start);
                start = newline + 1;
                if (line.IsEmpty)
                {
                    if (!hasData)
                        continue;
                    hasData = false;
                    return data.WrittenMemory;
                }
                if (line.StartsWith("data:"u8))
                {
                    var value = line[5..];
                    if (hasData)
                        data.Write("\n"u8);
                    data.Write(value.StartsWith(" "u8) ? value[1..] : value);
                    hasData = true;
                }
                continue; // comments, event: and id: lines carry nothing an OpenAI client reads
            }
            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }
            if (end == buffer.Length)
            {
                if (buffer.Length >= MaxEventBytes)
                    throw new InvalidDataException($"an event of the replica's stream is larger than {MaxEventBytes} bytes");
                Array.Resize(ref buffer, buffer.Length * 2);
            }
            await beforeWaiting();
            var read = await stream.ReadAsync(buffer.AsMemory(end), cancellationToken);
            if (read == 0)
                return null;
            end += read;
        }
    }
}
