namespace SkyServe.LoadBalancer.Forwarding;

/// <summary>
/// Reads an SSE response from the replica for YARP's body copy. When the replica is lost after part of the stream
/// has gone to the client (its connection reset or closed before the end), the read does not fail: it ends the
/// stream with <see cref="ReplicaLostEvent"/>, and <see cref="Cut"/> says why. Had it failed, YARP would abort the
/// client's connection, which an SSE client cannot tell from a normal end. Failures before the first byte, and
/// cancellations (the client went away, the activity timeout), go through unchanged: the former are retried
/// elsewhere, the latter are not the replica's answer ending.
/// </summary>
public sealed class EventStreamGuard(Stream replica) : Stream
{
    private bool forwardedAny;
    private byte beforeLast;
    private byte last;
    private ReadOnlyMemory<byte> tail;

    /// <summary>Why the stream was cut short, once it was.</summary>
    public Exception? Cut { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Cut is not null)
            return TakeTail(buffer.Span);
        int read;
        try
        {
            read = await replica.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (forwardedAny && e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            Cut = e;
            tail = ReplicaLostEvent.After(beforeLast, last);
            return TakeTail(buffer.Span);
        }
        if (read > 0)
        {
            forwardedAny = true;
            beforeLast = read > 1 ? buffer.Span[read - 2] : last;
            last = buffer.Span[read - 1];
        }
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    private int TakeTail(Span<byte> buffer)
    {
        var n = Math.Min(buffer.Length, tail.Length);
        tail.Span[..n].CopyTo(buffer);
        tail = tail[n..];
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            replica.Dispose();
        base.Dispose(disposing);
    }
}
