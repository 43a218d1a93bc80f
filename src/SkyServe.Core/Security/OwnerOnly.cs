using System.Runtime.InteropServices;

namespace SkyServe.Core.Security;

/// <summary>
/// Files and folders that only their owner can read or enter (0600 / 0700): tokens, a spec's <c>envs</c> and the logs
/// that may echo them live in the data directory, the local runtime's folders and the agents' working folders.
/// </summary>
public static partial class OwnerOnly
{
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    public const UnixFileMode DirectoryMode = FileMode | UnixFileMode.UserExecute;
    private const UnixFileMode GroupOrOther = (UnixFileMode)0x3F; // 077: every group and other bit

    /// <summary>
    /// Sets the process's umask to 077, so that every file created by it, by libraries it loads (SQLite's -wal and
    /// -shm files) and by the processes it starts is private. Each program calls this first thing.
    /// </summary>
    public static void RestrictProcessUmask()
    {
        if (!OperatingSystem.IsWindows())
            _ = Umask((uint)GroupOrOther);
    }

    /// <summary>Creates the folder (and missing parents) as 0700, and takes group/other access away from an existing one.</summary>
    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        var directory = Directory.CreateDirectory(path, DirectoryMode);
        if ((directory.UnixFileMode & GroupOrOther) == 0)
            return;
        try
        {
            directory.UnixFileMode = DirectoryMode; // made by an older version, or by hand
        }
        catch (UnauthorizedAccessException)
        {
            // Not ours (a shared folder given by the user): the files inside are still 0600.
        }
    }

    /// <summary>Replaces the file with one of mode 0600 holding <paramref name="text"/>.</summary>
    public static void WriteAllText(string path, string text)
    {
        if (OperatingSystem.IsWindows())
        {
            File.WriteAllText(path, text);
            return;
        }
        File.Delete(path); // UnixCreateMode applies only when the file is created
        using var file = new FileStream(path, new FileStreamOptions
        {
            Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = FileMode,
        });
        using var writer = new StreamWriter(file);
        writer.Write(text);
    }

    /// <summary>Opens the file for appending, creating it as 0600.</summary>
    public static FileStream OpenAppend(string path, FileShare share)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.Append, Access = FileAccess.Write, Share = share };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = FileMode;
        return new FileStream(path, options);
    }

    /// <summary>Creates an empty file as 0600 unless it exists (SQLite gives its -wal and -shm files the database file's mode).</summary>
    public static void CreateEmptyFile(string path)
    {
        if (File.Exists(path))
            return;
        var options = new FileStreamOptions { Mode = System.IO.FileMode.OpenOrCreate, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = FileMode;
        using var _ = new FileStream(path, options);
    }

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);
}
