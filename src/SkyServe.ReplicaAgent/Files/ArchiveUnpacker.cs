using System.Formats.Tar;
using System.IO.Compression;

namespace SkyServe.ReplicaAgent.Files;

/// <summary>
/// Unpacks an archive the CLI made (the CLI's WorkdirArchive): one starting with the folder entry <c>./</c> is a
/// folder's contents, unpacked into the target folder; one holding a single file is that file, written at the target
/// itself. Entry names may not leave the target (absolute, or with <c>..</c>); links are made after every file is
/// written, so no entry is written through a link the archive itself made. Permissions are kept.
/// </summary>
public static class ArchiveUnpacker
{
    /// <param name="replace">Make the target hold exactly the archive's contents (the workdir); otherwise merge into what is there.</param>
    public static void Unpack(string archive, string target, bool replace)
    {
        using var file = File.OpenRead(archive);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        // Copied: a single file's data must outlive the look past it that proves it is alone.
        var first = tar.GetNextEntry(copyData: true) ?? throw new InvalidDataException("the archive is empty");
        if (first.EntryType != TarEntryType.Directory || first.Name != "./")
        {
            if (first.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || tar.GetNextEntry() is not null)
                throw new InvalidDataException("the archive is neither a folder (./ first) nor a single file");
            WriteFile(first, target);
            return;
        }

        var parent = Path.GetDirectoryName(target) ?? "/";
        Directory.CreateDirectory(parent);
        var into = replace ? Path.Combine(parent, $".{Path.GetFileName(target)}.partial-{Guid.NewGuid():N}") : target;
        Directory.CreateDirectory(into);
        var links = new List<(string Path, string Target)>();
        var folders = new List<(string Path, UnixFileMode Mode)> { (into, first.Mode) };
        while (tar.GetNextEntry() is { } entry)
        {
            var path = Inside(into, entry.Name);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    Directory.CreateDirectory(path);
                    folders.Add((path, entry.Mode));
                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile:
                    WriteFile(entry, path);
                    break;
                case TarEntryType.SymbolicLink:
                    links.Add((path, entry.LinkName));
                    break;
                default:
                    throw new InvalidDataException($"entry {entry.Name} is a {entry.EntryType}; only folders, files and links are unpacked");
            }
        }
        foreach (var (path, linkTarget) in links)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (File.Exists(path) || Directory.Exists(path))
                DeletePath(path);
            File.CreateSymbolicLink(path, linkTarget);
        }
        // Folder modes last: a read-only folder would have refused its own files.
        foreach (var (path, mode) in folders.AsEnumerable().Reverse())
            SetMode(path, mode | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (replace)
        {
            if (Directory.Exists(target) || File.Exists(target))
                DeletePath(target);
            Directory.Move(into, target);
        }
    }

    private static void WriteFile(TarEntry entry, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (Directory.Exists(path) || new FileInfo(path).LinkTarget is not null)
            DeletePath(path);
        var partial = path + ".partial";
        using (var output = File.Create(partial))
            entry.DataStream?.CopyTo(output);
        SetMode(partial, entry.Mode);
        File.Move(partial, path, overwrite: true);
    }

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(path, mode);
    }

    private static string Inside(string root, string name)
    {
        var relative = name.StartsWith("./", StringComparison.Ordinal) ? name[2..] : name;
        relative = relative.TrimEnd('/');
        if (relative.Length == 0 || relative.StartsWith('/') || relative.Split('/').Any(part => part is ".." or ""))
            throw new InvalidDataException($"entry '{name}' would land outside its target");
        return Path.Combine(root, relative);
    }

    private static void DeletePath(string path)
    {
        if (new FileInfo(path).LinkTarget is not null || File.Exists(path))
            File.Delete(path);
        else
            Directory.Delete(path, recursive: true);
    }
}
