using System.Formats.Tar;
using System.IO.Compression;
using SkyServe.Cli.Uploads;
using SkyServe.Testing;

namespace SkyServe.Cli.Tests;

/// <summary>How `up` packs a workdir or a local file_mounts source: deterministic, honouring .skyignore else .gitignore, bounded.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // Unix file modes
public sealed class WorkdirArchiveTests : IDisposable
{
    private readonly TempDirectory root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void Equal_trees_give_equal_digests_whatever_their_times_and_a_change_gives_another()
    {
        var a = Tree("a", ("app.py", "print(1)"), ("lib/util.py", "x = 1"), ("lib/data/one.txt", "1"));
        var b = Tree("b", ("lib/data/one.txt", "1"), ("app.py", "print(1)"), ("lib/util.py", "x = 1"));
        File.SetLastWriteTimeUtc(Path.Combine(b, "app.py"), new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var first = Pack(a);
        Assert.Equal(first.Digest, Pack(b).Digest);
        Assert.Equal(first.Digest, Pack(a).Digest); // and again: packing itself leaves nothing behind that changes it
        Assert.Equal(3, first.Files);

        File.WriteAllText(Path.Combine(b, "lib", "util.py"), "x = 2");
        Assert.NotEqual(first.Digest, Pack(b).Digest);
    }

    [Fact]
    public void A_single_file_packs_alone_under_its_name_and_deterministically()
    {
        var file = Path.Combine(Tree("f", ("greeting.txt", "hi")), "greeting.txt");
        var packed = Pack(file);
        File.SetLastWriteTimeUtc(file, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal(packed.Digest, Pack(file).Digest);
        Assert.Equal(["greeting.txt"], Names(packed.Path));
        using var tar = Reader(packed.Path);
        // GNU entries: a PAX header would carry the packing process's id in its name.
        var entry = Assert.IsType<GnuTarEntry>(tar.GetNextEntry());
        Assert.Equal(DateTimeOffset.UnixEpoch, entry.ModificationTime);
    }

    [Fact]
    public void A_folder_archive_starts_with_its_root_and_keeps_modes_with_owner_zero()
    {
        var dir = Tree("m", ("run.sh", "#!/bin/sh\necho hi"), ("sub/plain.txt", "x"));
        File.SetUnixFileMode(Path.Combine(dir, "run.sh"), (UnixFileMode)0x1ED); // 0755
        var packed = Pack(dir);
        Assert.Equal(["./", "./run.sh", "./sub/", "./sub/plain.txt"], Names(packed.Path));
        using var tar = Reader(packed.Path);
        while (tar.GetNextEntry() is PosixTarEntry entry)
        {
            Assert.Equal(0, entry.Uid);
            Assert.Equal(0, entry.Gid);
            if (entry.Name == "./run.sh")
                Assert.Equal((UnixFileMode)0x1ED, entry.Mode);
        }
    }

    [Fact]
    public void Skyignore_rules_apply_and_gitignore_is_then_not_read()
    {
        var dir = Tree("s",
            (".skyignore", "/remove.py\n/remove_dir\n*.log\ndir/*.b\n"),
            (".gitignore", "keep.py\n"),
            ("remove.py", "x"), ("keep.py", "x"), ("remove_dir/a.txt", "x"), ("debug.log", "x"), ("dir/deep.log", "x"),
            ("dir/remove.b", "x"), ("dir/keep.a", "x"), ("dir/subdir/remove.py", "x"), ("dir/sub/.skyignore", "only_here.txt\n"),
            ("dir/sub/only_here.txt", "x"), ("only_here.txt", "x"));
        var packed = Pack(dir);
        Assert.Equal(".skyignore", packed.IgnoreSource);
        Assert.Equal(
            ["./", "./.gitignore", "./.skyignore", "./dir/", "./dir/keep.a", "./dir/sub/", "./dir/sub/.skyignore", "./dir/subdir/", "./dir/subdir/remove.py",
                "./keep.py", "./only_here.txt"],
            Names(packed.Path));
    }

    [Fact]
    public void Without_skyignore_the_gitignore_files_apply_each_below_its_folder()
    {
        var dir = Tree("g",
            (".gitignore", "build/\n*.pyc\n!keep.pyc\n"),
            ("app.py", "x"), ("app.pyc", "x"), ("keep.pyc", "x"), ("build/out.bin", "x"),
            ("pkg/.gitignore", "/local.txt\n"), ("pkg/local.txt", "x"), ("pkg/mod.py", "x"), ("local.txt", "x"));
        var packed = Pack(dir);
        Assert.Equal(".gitignore", packed.IgnoreSource);
        Assert.Equal(["./", "./.gitignore", "./app.py", "./keep.pyc", "./local.txt", "./pkg/", "./pkg/.gitignore", "./pkg/mod.py"], Names(packed.Path));
    }

    [Fact]
    public void An_archive_past_the_limit_is_refused_with_what_to_do()
    {
        var dir = Tree("big", ("random.bin", ""));
        File.WriteAllBytes(Path.Combine(dir, "random.bin"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(256 * 1024));
        var archive = Path.Combine(root.Path, "big.tar.gz");
        var e = Assert.Throws<CliException>(() => WorkdirArchive.Pack(dir, archive, 64 * 1024, "workdir"));
        Assert.Contains("workdir:", e.Message);
        Assert.Contains("packs to more than", e.Message);
        Assert.Contains(WorkdirArchive.MaxMegabytesVariable, e.Message);
        Assert.Contains(".skyignore", e.Message);
        Assert.False(File.Exists(archive));
    }

    [Fact]
    public void A_missing_source_is_named()
    {
        var e = Assert.Throws<CliException>(() => WorkdirArchive.Pack(Path.Combine(root.Path, "nope"), Path.Combine(root.Path, "x.tar.gz"), 1 << 20, "file_mounts./data"));
        Assert.Contains("file_mounts./data: '", e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    private string Tree(string name, params (string Path, string Text)[] files)
    {
        var dir = Path.Combine(root.Path, name);
        foreach (var (path, text) in files)
        {
            var full = Path.Combine(dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, text);
        }
        return dir;
    }

    private int packs;

    private PackedArchive Pack(string source) =>
        WorkdirArchive.Pack(source, Path.Combine(root.Path, $"pack-{++packs}.tar.gz"), 1 << 20, "workdir");

    private static TarReader Reader(string archive) => new(new GZipStream(File.OpenRead(archive), CompressionMode.Decompress));

    private static List<string> Names(string archive)
    {
        using var tar = Reader(archive);
        var names = new List<string>();
        while (tar.GetNextEntry() is { } entry)
            names.Add(entry.Name);
        return names;
    }
}
