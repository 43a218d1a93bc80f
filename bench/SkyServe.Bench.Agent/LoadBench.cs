using SkyServe.Inference.Checkpoints;
using SkyServe.Inference.Model;

namespace SkyServe.Bench.Agent;

/// <summary>One way of getting the weights off disk, measured <see cref="Runs"/> times.</summary>
public sealed record LoadResult(string Name, long Bytes, IReadOnlyList<double> Seconds)
{
    public double Median => Seconds.Order().ElementAt(Seconds.Count / 2);
    public double Best => Seconds.Min();
    public double GigabytesPerSecond => Bytes / Median / 1e9;
}

/// <summary>
/// Checkpoint loading over the same model: a plain sequential read of the safetensors bytes (the ceiling a loader is
/// compared with), the same into newly allocated memory (the part of the ceiling a loader can reach), the engine's
/// safetensors reader, and the packed layout of a cache entry (default options, and with O_DIRECT). Cold runs drop the page cache before every run; warm runs read what the previous run left cached.
/// </summary>
public static class LoadBench
{
    public static IReadOnlyList<LoadResult> Run(string sourceFolder, string entryFolder, bool cold, int runs, Action<string> progress)
    {
        var safetensors = Directory.GetFiles(sourceFolder, "*.safetensors");
        var cases = new (string Name, Func<(long Bytes, TimeSpan Elapsed)> Load)[]
        {
            ("plain read (16 MiB buffer)", () => PlainRead.Run(safetensors)),
            ("plain read into fresh memory", () => PlainRead.IntoFreshMemory(safetensors)),
            ("safetensors -> engine", () => Model(sourceFolder, null)),
            ("packed -> engine (mapped)", () => Model(entryFolder, null)),
            ("packed -> engine, read into arrays", () => Model(entryFolder, new PackedLoadOptions(Map: false))),
            ("packed -> engine, O_DIRECT", () => Model(entryFolder, new PackedLoadOptions(DirectIo: true))),
        };
        var results = new List<LoadResult>();
        foreach (var (name, load) in cases)
        {
            var seconds = new List<double>();
            long bytes = 0;
            for (var run = 0; run < runs + 1; run++)
            {
                if (cold)
                    PageCache.TryDrop();
                else if (run == 0)
                    load(); // warm the page cache with this reader's own files
                var (read, elapsed) = load();
                if (run > 0 || cold) // cold: every run counts; warm: the first only fills the cache
                    seconds.Add(elapsed.TotalSeconds);
                bytes = read;
                GC.Collect();
            }
            if (cold)
                seconds.RemoveAt(0); // the first cold run also pays for JIT and first-time allocation
            var result = new LoadResult(name, bytes, seconds);
            progress($"  {(cold ? "cold" : "warm")} {name}: median {result.Median:0.000} s, {result.GigabytesPerSecond:0.00} GB/s (runs: {string.Join(" ", seconds.Select(s => s.ToString("0.000")))})");
            results.Add(result);
        }
        return results;
    }

    private static (long, TimeSpan) Model(string folder, PackedLoadOptions? options)
    {
        using var model = CpuLlamaModel.Load(folder, out var statistics, options);
        return (statistics.BytesRead, statistics.Elapsed);
    }
}
