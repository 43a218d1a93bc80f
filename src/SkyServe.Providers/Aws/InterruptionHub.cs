using System.Collections.Concurrent;
using System.Threading.Channels;

namespace SkyServe.Providers.Aws;

/// <summary>Hands every interruption notice to every current watcher, once per machine.</summary>
public sealed class InterruptionHub(TimeProvider time)
{
    private static readonly TimeSpan Remember = TimeSpan.FromDays(1);
    private readonly List<Channel<InterruptionNotice>> watchers = [];
    private readonly ConcurrentDictionary<string, DateTimeOffset> noticed = new(StringComparer.Ordinal);

    public ChannelReader<InterruptionNotice> Subscribe()
    {
        var channel = Channel.CreateUnbounded<InterruptionNotice>();
        lock (watchers)
            watchers.Add(channel);
        return channel.Reader;
    }

    public void Unsubscribe(ChannelReader<InterruptionNotice> reader)
    {
        lock (watchers)
            watchers.RemoveAll(c => c.Reader == reader);
    }

    public int Watchers
    {
        get
        {
            lock (watchers)
                return watchers.Count;
        }
    }

    /// <summary>Publishes the notice unless this machine already had one; true when it was new.</summary>
    public bool Publish(InterruptionNotice notice)
    {
        var now = time.GetUtcNow();
        if (!noticed.TryAdd(notice.MachineId, now))
            return false;
        foreach (var old in noticed.Where(n => now - n.Value > Remember).ToList())
            noticed.TryRemove(old);
        lock (watchers)
            foreach (var watcher in watchers)
                watcher.Writer.TryWrite(notice);
        return true;
    }
}
