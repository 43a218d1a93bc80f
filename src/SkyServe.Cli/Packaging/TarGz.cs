using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace SkyServe.Cli.Packaging;

/// <summary>
/// Writes a folder as a .tar.gz whose entries are the folder's contents (so <c>tar -xz -C dir</c> puts them straight in
/// dir), in a stable order, executables kept executable, and owned by root (0:0), whoever packaged them: a machine that
/// unpacks as root must not hand the files to some uid of the packager's.
/// Beside it, <c>NAME.sha256</c> in sha256sum's format.
/// </summary>
public static class TarGz
{
    /// <returns>The archive's SHA-256, lowercase hex.</returns>
    public static string Write(string folder, string archive)
    {
        var partial = archive + ".partial";
        using (var file = File.Create(partial))
        using (var tar = new TarWriter(new GZipStream(file, CompressionLevel.Optimal), TarEntryFormat.Pax, leaveOpen: false))
        {
            foreach (var path in Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
                .OrderBy(p => Relative(folder, p), StringComparer.Ordinal))
            {
                var entry = Entry(folder, path);
                if (entry.EntryType == TarEntryType.Directory)
                {
                    tar.WriteEntry(entry);
                    continue;
                }
                using var data = File.OpenRead(path);
                entry.DataStream = data;
                tar.WriteEntry(entry);
            }
        }
        File.Move(partial, archive, overwrite: true);

        string sha256;
        using (var stream = File.OpenRead(archive))
            sha256 = Convert.ToHexStringLower(SHA256.HashData(stream));
        File.WriteAllText(archive + ".sha256", $"{sha256}  {Path.GetFileName(archive)}\n");
        return sha256;
    }

    private static PaxTarEntry Entry(string folder, string path)
    {
        var name = Relative(folder, path);
        var attributes = File.GetAttributes(path);
        if (attributes.HasFlag(FileAttributes.ReparsePoint))
            throw new CliException($"{path} is a link; a package holds only files and folders");
        var isFolder = attributes.HasFlag(FileAttributes.Directory);
        return new PaxTarEntry(isFolder ? TarEntryType.Directory : TarEntryType.RegularFile, isFolder ? name + "/" : name)
        {
            Mode = Normalized(isFolder || (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & AnyExecute) != 0)),
            ModificationTime = File.GetLastWriteTimeUtc(path),
            Uid = 0,
            Gid = 0,
            UserName = "root",
            GroupName = "root",
        };
    }

    private const UnixFileMode AnyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    /// <summary>
    /// rwxr-xr-x for folders and executables, rw-r--r-- for the rest, whatever the packager's umask or the NuGet cache's
    /// modes were: a service user other than root must be able to read and run what root unpacked.
    /// </summary>
    private static UnixFileMode Normalized(bool executable) =>
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead | (executable ? AnyExecute : 0);

    private static string Relative(string folder, string path) => Path.GetRelativePath(folder, path).Replace('\\', '/');
}
