using SkyServe.ReplicaAgent.External;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>The external engine's log: bounded by rotation, tails across the rotated file, followers miss nothing.</summary>
public sealed class EngineLogTests : IDisposable
{
    private readonly TempDirectory dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Rotation_bounds_the_files_and_the_tail_reads_across_them()
    {
        var path = Path.Combine(dir.Path, ".skyserve", "engine.log");
        using var log = new EngineLog(path, maxBytes: 4096);
        for (var i = 0; i < 2000; i++)
            log.Append($"line {i:D5} of the engine's output");

        Assert.True(new FileInfo(path).Length <= 4096);
        Assert.True(new FileInfo(path + ".1").Length <= 4096);
        Assert.Equal(2, Directory.GetFiles(Path.GetDirectoryName(path)!).Length);
        Assert.Equal(["line 01997 of the engine's output", "line 01998 of the engine's output", "line 01999 of the engine's output"], log.Tail(3));

        // More than the current file holds: the rest comes from the rotated one, in order, and no more than both hold.
        var lines = log.Tail(150);
        Assert.True(lines.Count > File.ReadAllLines(path).Length);
        Assert.Equal(Enumerable.Range(2000 - lines.Count, lines.Count).Select(i => $"line {i:D5} of the engine's output"), lines);
        var all = log.Tail(100_000); // everything both files hold, and nothing older
        Assert.Equal(Enumerable.Range(2000 - all.Count, all.Count).Select(i => $"line {i:D5} of the engine's output"), all);
        Assert.Equal(File.ReadAllLines(path + ".1").Length + File.ReadAllLines(path).Length, all.Count);
        Assert.Empty(log.Tail(0));
    }

    [Fact]
    public void A_tail_of_a_missing_or_empty_log_is_empty_and_notes_are_marked()
    {
        using var log = new EngineLog(Path.Combine(dir.Path, "engine.log"), 1 << 20);
        Assert.Empty(log.Tail(10));
        log.Note("setup: started", new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        Assert.Equal(["[skyserve-agent 2026-01-02T03:04:05.000Z] setup: started"], log.Tail(10));
    }

    [Fact]
    public async Task A_follower_gets_the_tail_then_every_new_line_once()
    {
        using var log = new EngineLog(Path.Combine(dir.Path, "engine.log"), 1 << 20);
        log.Append("old 1");
        log.Append("old 2");
        using var follower = log.Follow(1);
        log.Append("new 1");
        var writer = Task.Run(() =>
        {
            for (var i = 2; i <= 500; i++)
                log.Append($"new {i}");
        });
        Assert.Equal(["old 2"], follower.Tail);
        var seen = new List<string>();
        while (seen.Count < 500)
            seen.Add(await follower.Lines.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        await writer;
        Assert.Equal(Enumerable.Range(1, 500).Select(i => $"new {i}"), seen);

        follower.Dispose();
        log.Append("after");
        Assert.False(follower.Lines.TryRead(out _));
    }

    [Fact]
    public void The_setup_marker_is_keyed_by_the_command()
    {
        var marker = new SetupMarker(Path.Combine(dir.Path, ".skyserve", "setup.done"));
        Assert.False(marker.IsDone("pip install vllm"));
        marker.MarkDone("pip install vllm");
        Assert.True(marker.IsDone("pip install vllm"));
        Assert.False(marker.IsDone("pip install vllm==0.6.6"));
    }
}
