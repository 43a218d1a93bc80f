namespace SkyServe.Providers.Local;

/// <summary>
/// The local runtime's state as a store shared by every process that uses its directory (several controllers of one
/// deployment, `skyserve local down`): each change reads <c>machines.json</c> afresh under the inter-process
/// <see cref="LocalStateLock"/>, applies itself to what it read and writes the file back (only when it changed),
/// before the lock is let go. Nothing is cached between changes, so a machine another process launched is seen at once.
/// The file is small (tens of machines): reading it whole each time costs little next to what the calls do.
/// </summary>
public sealed class SharedLocalState(string directory, Func<LocalState> fresh)
{
    private readonly LocalStateStore store = new(directory);
    private readonly LocalStateLock fileLock = new(directory);
    // The flock alone would serialize this process's callers too, but by polling; the gate makes them queue instead.
    private readonly SemaphoreSlim gate = new(1, 1);

    public LocalStateStore Store => store;

    /// <summary>
    /// Runs <paramref name="change"/> on the current state under the lock and saves what it did, then, still under the
    /// lock, <paramref name="saved"/> with the state as saved (so that what it does follows the order of the changes).
    /// An exception from <paramref name="change"/> saves nothing. Neither may wait on anything long: every process waits.
    /// </summary>
    public async Task<T> UpdateAsync<T>(Func<LocalState, T> change, CancellationToken ct = default, Action<LocalState>? saved = null)
    {
        await gate.WaitAsync(ct);
        try
        {
            using var held = await fileLock.AcquireAsync(ct);
            var read = store.Read();
            var state = read?.State ?? fresh();
            var result = change(state);
            var text = LocalStateStore.Serialize(state);
            if (text != read?.Text)
                store.Write(text);
            saved?.Invoke(state);
            return result;
        }
        finally
        {
            gate.Release();
        }
    }

    public Task UpdateAsync(Action<LocalState> change, CancellationToken ct = default) =>
        UpdateAsync(state => { change(state); return true; }, ct);
}
