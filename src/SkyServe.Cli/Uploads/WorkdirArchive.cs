using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace SkyServe.Cli.Uploads;

/// <summary>
/// Packs a spec's <c>workdir</c>, or a local <c>file_mounts</c> source, as the tar.gz the controller keeps and the
/// replicas unpack. Deterministic, so that an unchanged tree gives the same digest (and is not uploaded again): entries
/// in ordinal order, every time stamp the epoch, owner 0:0 without names, permissions as on disk, GNU tar format. A folder's archive
/// starts with its root entry <c>./</c> and holds its contents under <c>./</c>, less what <see cref="IgnoreRules"/>
/// leave out; a single file's archive is that one file under its name, which tells the agent to put it at the target
/// itself. Symbolic links stay links.
/// </summary>
public static class WorkdirArchive
{
    /// <summary>The variable that sets the largest archive <c>up</c> and <c>update</c> send, in MiB (default <see cref="DefaultMaxMegabytes"/>).</summary>
    public const string MaxMegabytesVariable = "SKYSERVE_MAX_UPLOAD_MB";

    /// <summary>The controller's default limit (SkyServe:Uploads:MaxBytes): an archive it would refuse is refused before it is sent.</summary>
    public const long DefaultMaxMegabytes = 64;

    public const string RootEntry = "./";

    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    /// <summary>The limit from <see cref="MaxMegabytesVariable"/>, else the default, in bytes.</summary>
    /// <exception cref="CliException">The variable is not a positive whole number.</exception>
    public static long MaxBytesFromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(MaxMegabytesVariable);
        if (string.IsNullOrWhiteSpace(text))
            return DefaultMaxMegabytes * 1024 * 1024;
        return long.TryParse(text, out var mb) && mb is > 0 and < 1024 * 1024
            ? mb * 1024 * 1024
            : throw new CliException($"{MaxMegabytesVariable} must be a whole number of MiB above 0, not '{text}'");
    }

    /// <summary>Packs <paramref name="source"/> (a folder or a file) into <paramref name="archive"/>.</summary>
    /// <param name="what">How errors name it: "workdir", "file_mounts./data".</param>
    /// <exception cref="CliException">The source is missing, or its archive grows past <paramref name="maxBytes"/>.</exception>
    public static PackedArchive Pack(string source, string archive, long maxBytes, string what)
    {
        var isFolder = Directory.Exists(source);
        if (!isFolder && !File.Exists(source))
            throw new CliException($"{what}: '{source}' does not exist");
        var files = 0;
        var ignored = isFolder ? IgnoreRules.For(source) : null;
        try
        {
            using (var file = File.Create(archive))
            using (var limited = new LimitedStream(file, maxBytes))
            using (var gzip = new GZipStream(limited, CompressionLevel.Optimal))
            using (var tar = new TarWriter(gzip, TarEntryFormat.Gnu, leaveOpen: false))
            {
                if (isFolder)
                {
                    tar.WriteEntry(Entry(TarEntryType.Directory, RootEntry, source));
                    foreach (var (path, relative, isDirectory) in Walk(source, "", ignored!))
                    {
                        WriteEntry(tar, path, RootEntry + relative + (isDirectory ? "/" : ""));
                        files += isDirectory ? 0 : 1;
                    }
                }
                else
                {
                    WriteEntry(tar, source, Path.GetFileName(source));
                    files = 1;
                }
            }
        }
        catch (UploadTooLargeException)
        {
            File.Delete(archive);
            throw new CliException(
                $"{what}: '{source}' packs to more than {maxBytes / (1024 * 1024)} MiB ({MaxMegabytesVariable}; the controller's SkyServe:Uploads:MaxBytes " +
                $"must allow it too): leave large files out with {IgnoreRules.SkyIgnoreFile} (or {IgnoreRules.GitIgnoreFile}), or put them in a bucket " +
                "and mount that with file_mounts");
        }
        string digest;
        using (var stream = File.OpenRead(archive))
            digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(stream));
        return new PackedArchive(archive, digest, new FileInfo(archive).Length, files, ignored?.Source);
    }

    /// <summary>The folder's entries below it, depth first in ordinal order, leaving out ignored ones (and what is under an ignored folder).</summary>
    private static IEnumerable<(string Path, string Relative, bool IsDirectory)> Walk(string root, string prefix, IgnoreRules rules)
    {
        var folder = prefix.Length == 0 ? root : Path.Combine(root, prefix);
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var relative = prefix.Length == 0 ? entry.Name : prefix + "/" + entry.Name;
            var isDirectory = entry is DirectoryInfo && entry.LinkTarget is null;
            if (rules.IsIgnored(relative, isDirectory))
                continue;
            yield return (entry.FullName, relative, isDirectory);
            if (isDirectory)
                foreach (var below in Walk(root, relative, rules))
                    yield return below;
        }
    }

    private static void WriteEntry(TarWriter tar, string path, string name)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is { } target)
        {
            var link = Entry(TarEntryType.SymbolicLink, name, path);
            link.LinkName = target;
            tar.WriteEntry(link);
            return;
        }
        if (info.Attributes.HasFlag(FileAttributes.Directory))
        {
            tar.WriteEntry(Entry(TarEntryType.Directory, name, path));
            return;
        }
        var entry = Entry(TarEntryType.RegularFile, name, path);
        using var data = File.OpenRead(path);
        entry.DataStream = data;
        tar.WriteEntry(entry);
    }

    // GNU's format, not PAX: .NET names a PAX extended header after the writing process's id, which would change the
    // digest from one `up` to the next. GNU's long-name entries are fixed text.
    private static GnuTarEntry Entry(TarEntryType type, string name, string path) =>
        new(type, name)
        {
            Mode = type == TarEntryType.SymbolicLink || OperatingSystem.IsWindows()
                ? (UnixFileMode)0x1FF
                : File.GetUnixFileMode(path) & (UnixFileMode)0xFFF,
            ModificationTime = Epoch,
            AccessTime = Epoch,
            ChangeTime = Epoch,
            Uid = 0,
            Gid = 0,
            UserName = "",
            GroupName = "",
        };

    private sealed class UploadTooLargeException : IOException;

    /// <summary>Fails the write that would take the file past the limit, so a huge tree is not packed in full first.</summary>
    private sealed class LimitedStream(Stream inner, long limit) : Stream
    {
        private long written;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => written;
        public override long Position { get => written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            written += buffer.Length;
            if (written > limit)
                throw new UploadTooLargeException();
            inner.Write(buffer);
        }
    }
}

/// <param name="Path">The tar.gz on disk (a temporary file).</param>
/// <param name="Digest"><c>sha256:HEX</c> of it.</param>
/// <param name="Files">How many files it holds.</param>
/// <param name="IgnoreSource">Which rule files left things out (<c>.skyignore</c>, <c>.gitignore</c>), or null.</param>
public sealed record PackedArchive(string Path, string Digest, long Size, int Files, string? IgnoreSource);
