using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace SkyServe.Providers.Local;

/// <summary>Hands every interruption notice to every current watcher.</summary>
public sealed class NoticeBroadcaster
{
    private readonly List<Channel<InterruptionNotice>> watchers = [];

    /// <summary>Hands the notice to the watchers; false when there was none to hand it to.</summary>
    public bool Publish(InterruptionNotice notice)
    {
        lock (watchers)
        {
            foreach (var watcher in watchers)
                watcher.Writer.TryWrite(notice);
            return watchers.Count > 0;
        }
    }

    public async IAsyncEnumerable<InterruptionNotice> WatchAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var channel = Channel.CreateUnbounded<InterruptionNotice>();
        lock (watchers)
            watchers.Add(channel);
        try
        {
            await foreach (var notice in channel.Reader.ReadAllAsync(ct))
                yield return notice;
        }
        finally
        {
            lock (watchers)
                watchers.Remove(channel);
        }
    }
}
