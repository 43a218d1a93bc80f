using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>Archives laid out as the CLI packs them: a folder's starts with "./", a single file's is that file alone.</summary>
public static class TaskArchives
{
    public static byte[] Folder(params (string Name, string Text)[] files) => Write(tar =>
    {
        tar.WriteEntry(new GnuTarEntry(TarEntryType.Directory, "./") { Mode = (UnixFileMode)0x1ED });
        foreach (var (name, text) in files)
            Add(tar, "./" + name, text);
    });

    /// <summary>A folder on disk, packed as the CLI packs one; under <paramref name="prefix"/> (e.g. "model/") when given.</summary>
    public static byte[] FolderFrom(string directory, string prefix = "") => Write(tar =>
    {
        tar.WriteEntry(new GnuTarEntry(TarEntryType.Directory, "./") { Mode = (UnixFileMode)0x1ED });
        if (prefix.Length > 0)
            tar.WriteEntry(new GnuTarEntry(TarEntryType.Directory, "./" + prefix) { Mode = (UnixFileMode)0x1ED });
        foreach (var file in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
            tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, "./" + prefix + Path.GetFileName(file))
            {
                DataStream = new MemoryStream(File.ReadAllBytes(file)), Mode = (UnixFileMode)0x1A4,
            });
    });

    public static byte[] SingleFile(string name, string text) => Write(tar => Add(tar, name, text));

    public static byte[] Raw(Action<TarWriter> write) => Write(write);

    private static void Add(TarWriter tar, string name, string text) =>
        tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)), Mode = (UnixFileMode)0x1A4 });

    private static byte[] Write(Action<TarWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Gnu))
            write(tar);
        return buffer.ToArray();
    }
}
