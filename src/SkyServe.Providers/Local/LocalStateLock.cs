using System.Diagnostics;
using SkyServe.Core.Security;

namespace SkyServe.Providers.Local;

/// <summary>
/// The exclusive lock that every process sharing a local runtime's state directory takes around each read-change-write of
/// <c>machines.json</c>: the file <c>machines.lock</c> opened with <see cref="FileShare.None"/>, which .NET on Linux turns
/// into <c>flock(LOCK_EX | LOCK_NB)</c> on that open file. A flock belongs to the open file, not to the process, so two
/// locks in one process exclude each other as two processes do; it goes away with the file's close, or with the process
/// however it dies (no stale lock file to clean up; the file itself is never deleted, so every process locks the same
/// inode); and it is not inherited by the agents started while it is held (.NET opens files close-on-exec).
/// A taken lock is retried every few milliseconds: holders keep it for a read, a small change and a rename.
/// </summary>
public sealed class LocalStateLock
{
    /// <summary>Longer than any holder keeps it (the longest: a kill at a notice's deadline, which waits up to 5 s for the exit).</summary>
    public static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMilliseconds(20);

    public LocalStateLock(string directory)
    {
        OwnerOnly.CreateDirectory(directory);
        FilePath = Path.Combine(directory, "machines.lock");
        EnsureLockingWorks();
    }

    public string FilePath { get; }

    /// <summary>The lock, held until the returned handle is disposed.</summary>
    /// <exception cref="TimeoutException">Another holder kept it longer than <see cref="WaitLimit"/>.</exception>
    public async Task<IDisposable> AcquireAsync(CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var delay = TimeSpan.FromMilliseconds(1);
        while (true)
        {
            if (TryAcquire(out var busy) is { } held)
                return held;
            if (Stopwatch.GetElapsedTime(started) > WaitLimit)
                throw new TimeoutException($"the local runtime's state lock {FilePath} was held by another process for over {WaitLimit.TotalSeconds:0} s", busy);
            await Task.Delay(delay, ct);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    /// <summary>The lock if it is free now; else null, with the sharing violation that said it is taken.</summary>
    public FileStream? TryAcquire(out IOException? busy)
    {
        busy = null;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = OwnerOnly.FileMode;
            return new FileStream(FilePath, options);
        }
        catch (IOException e) when (e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException))
        {
            busy = e;
            return null;
        }
    }

    /// <summary>
    /// .NET takes no flock where file locking is switched off (DOTNET_SYSTEM_IO_DISABLEFILELOCKING, or a file system
    /// without flock): then a second open of a held lock succeeds, and sharing the directory would lose machines. Refuse.
    /// </summary>
    private void EnsureLockingWorks()
    {
        using var first = TryAcquire(out _);
        if (first is null)
            return; // held by another process right now: locking evidently works
        using var second = TryAcquire(out _);
        if (second is not null)
            throw new InvalidOperationException(
                $"file locking does not work on {FilePath} (DOTNET_SYSTEM_IO_DISABLEFILELOCKING set, or a file system without flock): " +
                "the local runtime's state directory cannot be shared safely");
    }
}
