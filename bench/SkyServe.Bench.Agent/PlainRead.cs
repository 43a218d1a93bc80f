using System.Diagnostics;

namespace SkyServe.Bench.Agent;

/// <summary>The baseline: `cat FILES > /dev/null` in C#, one 16 MiB buffer reused for every read.</summary>
public static class PlainRead
{
    public static (long Bytes, TimeSpan Elapsed) Run(IEnumerable<string> files)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(16 << 20);
        var clock = Stopwatch.StartNew();
        long total = 0;
        foreach (var file in files)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                total += read;
        }
        return (total, clock.Elapsed);
    }

    /// <summary>
    /// The same read into one newly allocated array of the files' size: what any loader pays on top of `cat`, since
    /// the weights must land in memory the process has not touched yet (first-touch page faults, zeroed pages).
    /// </summary>
    public static (long Bytes, TimeSpan Elapsed) IntoFreshMemory(IEnumerable<string> files)
    {
        var paths = files.ToList();
        var clock = Stopwatch.StartNew();
        var destination = GC.AllocateUninitializedArray<byte>((int)paths.Sum(path => new FileInfo(path).Length));
        long total = 0;
        foreach (var file in paths)
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
            int read;
            while ((read = stream.Read(destination, (int)total, Math.Min(16 << 20, destination.Length - (int)total))) > 0)
                total += read;
        }
        GC.KeepAlive(destination);
        return (total, clock.Elapsed);
    }
}
