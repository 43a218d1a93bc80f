namespace SkyServe.Providers.Tests;

/// <summary>Collects a provider's interruption notices from the moment it is created.</summary>
public sealed class NoticeCollector : IAsyncDisposable
{
    private readonly CancellationTokenSource cts = new();
    private readonly List<InterruptionNotice> notices = [];
    private readonly Task pump;

    public NoticeCollector(ICloudProvider provider)
    {
        // MoveNextAsync runs the iterator up to its first wait, so the subscription exists before this returns.
        var stream = provider.WatchInterruptionsAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        var first = stream.MoveNextAsync();
        pump = Task.Run(async () =>
        {
            try
            {
                for (var next = first; await next; next = stream.MoveNextAsync())
                    lock (notices)
                        notices.Add(stream.Current);
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    /// <summary>The notices so far, once there are at least <paramref name="count"/> (or after 10 s).</summary>
    public async Task<IReadOnlyList<InterruptionNotice>> AtLeastAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            lock (notices)
                if (notices.Count >= count || DateTime.UtcNow > deadline)
                    return notices.ToList();
            await Task.Delay(20);
        }
    }

    public IReadOnlyList<InterruptionNotice> Now()
    {
        lock (notices)
            return notices.ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await cts.CancelAsync();
        await pump;
        cts.Dispose();
    }
}
