using System.Text;
using System.Threading.Channels;
using SkyServe.Core.Security;

namespace SkyServe.ReplicaAgent.External;

/// <summary>
/// The external engine's output (setup and run, stdout and stderr) and the agent's notes about it, one line at a
/// time, in <c>engine.log</c>: bounded by rotation (at <see cref="MaxBytes"/> the file becomes <c>engine.log.1</c>,
/// replacing the older one). Readers get the last lines of both files, and followers every line appended after.
/// </summary>
public sealed class EngineLog : IDisposable
{
    /// <summary>Lines a slow follower may fall behind before the oldest ones are dropped for it.</summary>
    private const int FollowerBacklog = 10_000;

    private readonly Lock gate = new();
    private readonly List<Channel<string>> followers = [];
    private FileStream? file;
    private bool disposed;

    public EngineLog(string path, long maxBytes)
    {
        FilePath = Path.GetFullPath(path);
        MaxBytes = Math.Max(1024, maxBytes);
        OwnerOnly.CreateDirectory(Path.GetDirectoryName(FilePath)!); // the engine's output may echo its envs
    }

    public string FilePath { get; }

    public string RotatedFilePath => FilePath + ".1";

    public long MaxBytes { get; }

    /// <summary>Appends a line of the engine's output.</summary>
    public void Append(string line)
    {
        lock (gate)
        {
            if (disposed)
                return;
            file ??= OwnerOnly.OpenAppend(FilePath, FileShare.ReadWrite | FileShare.Delete);
            var bytes = Encoding.UTF8.GetBytes(line + "\n");
            if (file.Length > 0 && file.Length + bytes.Length > MaxBytes)
                Rotate();
            file.Write(bytes);
            file.Flush();
            foreach (var follower in followers)
                follower.Writer.TryWrite(line);
        }
    }

    /// <summary>Appends the agent's own note (what it started, what exited, why), marked and timestamped.</summary>
    public void Note(string text, DateTimeOffset now) =>
        Append($"[skyserve-agent {now.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}] {text}");

    /// <summary>The last <paramref name="count"/> lines, oldest first, across the rotated file and the current one.</summary>
    public IReadOnlyList<string> Tail(int count)
    {
        lock (gate)
            return TailUnlocked(count);
    }

    /// <summary>
    /// The last <paramref name="count"/> lines and, from then on, every line appended until the follower is disposed
    /// (or the log is); none is missed or repeated between the two.
    /// </summary>
    public Follower Follow(int count)
    {
        var channel = Channel.CreateBounded<string>(new BoundedChannelOptions(FollowerBacklog)
        {
            FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true,
        });
        lock (gate)
        {
            var tail = TailUnlocked(count);
            if (disposed)
                channel.Writer.TryComplete();
            else
                followers.Add(channel);
            return new Follower(tail, channel.Reader, () =>
            {
                lock (gate)
                    followers.Remove(channel);
            });
        }
    }

    /// <summary>What <see cref="Follow"/> returns: the tail, then the new lines as they are appended.</summary>
    public sealed class Follower(IReadOnlyList<string> tail, ChannelReader<string> lines, Action unsubscribe) : IDisposable
    {
        public IReadOnlyList<string> Tail { get; } = tail;
        public ChannelReader<string> Lines { get; } = lines;
        public void Dispose() => unsubscribe();
    }

    private void Rotate()
    {
        file!.Dispose();
        File.Move(FilePath, RotatedFilePath, overwrite: true);
        file = OwnerOnly.OpenAppend(FilePath, FileShare.ReadWrite | FileShare.Delete);
    }

    private List<string> TailUnlocked(int count)
    {
        if (count <= 0)
            return [];
        var lines = LastLines(FilePath, count);
        if (lines.Count < count)
            lines.InsertRange(0, LastLines(RotatedFilePath, count - lines.Count));
        return lines;
    }

    /// <summary>Reads backwards from the end in blocks until enough lines are in hand: a tail never reads the whole file.</summary>
    private static List<string> LastLines(string path, int count)
    {
        if (!File.Exists(path))
            return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var end = stream.Length;
        var start = end;
        const int block = 64 * 1024;
        var newlines = 0;
        var buffer = new byte[block];
        // Count newlines from the end; the file's last byte is a newline, so count + 1 of them bound count lines.
        while (start > 0 && newlines <= count)
        {
            var size = (int)Math.Min(block, start);
            start -= size;
            stream.Position = start;
            stream.ReadExactly(buffer, 0, size);
            for (var i = size - 1; i >= 0; i--)
            {
                if (buffer[i] != (byte)'\n')
                    continue;
                if (++newlines > count)
                {
                    start += i + 1;
                    break;
                }
            }
        }
        stream.Position = start;
        var bytes = new byte[end - start];
        stream.ReadExactly(bytes);
        var text = Encoding.UTF8.GetString(bytes);
        var lines = text.Split('\n').ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
            lines.RemoveAt(lines.Count - 1);
        return lines.Count > count ? lines.GetRange(lines.Count - count, count) : lines;
    }

    public void Dispose()
    {
        lock (gate)
        {
            if (disposed)
                return;
            disposed = true;
            file?.Dispose();
            foreach (var follower in followers)
                follower.Writer.TryComplete();
        }
    }
}
