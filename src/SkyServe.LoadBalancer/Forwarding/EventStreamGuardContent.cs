using System.Net;

namespace SkyServe.LoadBalancer.Forwarding;

/// <summary>
/// Stands in for a replica's SSE response content so that YARP's body copy reads it through an
/// <see cref="EventStreamGuard"/> (HttpContent is the one hook YARP gives into the stream it copies).
/// </summary>
public sealed class EventStreamGuardContent(HttpContent replica) : HttpContent
{
    public EventStreamGuard? Guard { get; private set; }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        Guard = new EventStreamGuard(await replica.ReadAsStreamAsync(cancellationToken));

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        await (await CreateContentReadStreamAsync()).CopyToAsync(stream);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Guard?.Dispose();
            replica.Dispose();
        }
        base.Dispose(disposing);
    }
}
