using SkyServe.Inference.Checkpoints;
using SkyServe.Inference.Model;

namespace SkyServe.Inference.Serving;

/// <summary>
/// How the served model was loaded, for the start-up status line and for metrics: where from, whether the checkpoint
/// cache had it, and how long each stage took. <see cref="WeightGigabytesPerSecond"/> is the load bandwidth
/// (tensor bytes read over the time reading them), as ServerlessLLM reports it.
/// </summary>
/// <param name="Source">What --model named: a folder or a URL.</param>
/// <param name="Directory">The folder the engine loaded: the cache entry, or the source folder when not cached.</param>
/// <param name="Fetch">Downloading on a cache miss of a remote model.</param>
/// <param name="Convert">Converting to the packed layout on a cache miss.</param>
/// <param name="WeightBytes">Tensor bytes read from disk (F16/BF16 stored as such count 2 bytes per value).</param>
/// <param name="WeightLoad">Reading the weights into memory.</param>
/// <param name="Total">Everything up to a ready engine: cache lookup, fetch, conversion, tokenizer, weights.</param>
public sealed record LoadReport(
    string Source,
    string Directory,
    WeightLayout Layout,
    CacheOutcome Cache,
    TimeSpan Fetch,
    TimeSpan Convert,
    long DownloadedBytes,
    long WeightBytes,
    TimeSpan WeightLoad,
    TimeSpan Total)
{
    public double WeightGigabytesPerSecond => WeightLoad > TimeSpan.Zero ? WeightBytes / WeightLoad.TotalSeconds / 1e9 : 0;

    /// <summary>One line for operators, e.g. "0.40 GB of weights in 0.05 s (8.1 GB/s) from the packed layout; cache hit; total 0.31 s".</summary>
    public string Describe()
    {
        var from = Layout == WeightLayout.Packed ? "the packed layout" : "safetensors";
        var cache = Cache switch
        {
            CacheOutcome.Hit => "; cache hit",
            CacheOutcome.Miss when DownloadedBytes > 0 =>
                $"; cache miss: fetched {CheckpointCache.Gigabytes(DownloadedBytes)} in {Fetch.TotalSeconds:0.00} s, converted in {Convert.TotalSeconds:0.00} s",
            CacheOutcome.Miss => $"; cache miss: converted in {Convert.TotalSeconds:0.00} s",
            _ => "",
        };
        return $"{CheckpointCache.Gigabytes(WeightBytes)} of weights in {WeightLoad.TotalSeconds:0.000} s ({WeightGigabytesPerSecond:0.00} GB/s) from {from}{cache}; total {Total.TotalSeconds:0.00} s";
    }
}
