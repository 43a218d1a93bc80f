namespace SkyServe.Inference.Checkpoints;

/// <summary>
/// Advisory file locks shared between processes. On Linux .NET takes flock(2) when it opens a file: LOCK_EX for
/// FileShare.None, LOCK_SH for read-only access with sharing, both non-blocking (a conflict is an IOException). The kernel
/// drops them when the process dies, so a crashed agent never leaves the cache locked. Lock files are never deleted:
/// deleting one while another process waits on it would split the lock in two.
/// </summary>
internal static class FileLock
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>An exclusive lock, or null while another holder has the file locked.</summary>
    public static FileStream? TryExclusive(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>A shared lock on an existing file, or null while it is locked exclusively or is gone.</summary>
    public static FileStream? TryShared(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Waits for an exclusive lock; <paramref name="onWait"/> runs once if it has to wait.</summary>
    public static async Task<FileStream> ExclusiveAsync(string path, CancellationToken cancellation, Action? onWait = null)
    {
        for (var waited = false; ; waited = true)
        {
            if (TryExclusive(path) is { } held)
                return held;
            if (!waited)
                onWait?.Invoke();
            await Task.Delay(Poll, cancellation);
        }
    }
}
