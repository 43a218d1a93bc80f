using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using SkyServe.Bench.Agent;
using SkyServe.Inference.Checkpoints;
using SkyServe.Inference.Serving;

// bench/agent.sh runs this; see there for what it measures. Progress goes to stderr, the report to stdout.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = BenchOptions.Parse(args);
void Progress(string line) => Console.Error.WriteLine(line);

var repo = FindRepo();
var shape = new BenchModelShape(Layers: options.Layers, Vocab: options.Vocab);
var modelFolder = Path.Combine(options.Directory, $"llama-{shape.Parameters / 1_000_000}m-{options.DType.ToLowerInvariant()}");
if (!File.Exists(Path.Combine(modelFolder, "model.safetensors")))
{
    Progress($"generating a {shape.Parameters / 1e6:0.0}M-parameter Llama-shaped model ({options.DType}) in {modelFolder}");
    BenchModel.Write(modelFolder, shape, options.DType, Path.Combine(repo, "tests", "fixtures", "tiny-llama"));
}

var cores = Environment.ProcessorCount;
// Peaks are measured before, between and after the phases and the best kept: on a shared machine a single
// measurement may land in someone else's busy second and make every utilization look better than it is.
double bandwidth = 0, bandwidthOneCore = 0, flops = 0;
void MeasurePeaks()
{
    Progress("measuring peak memory bandwidth and FMA throughput");
    bandwidth = Math.Max(bandwidth, MachinePeaks.ReadBandwidth(cores));
    bandwidthOneCore = Math.Max(bandwidthOneCore, MachinePeaks.ReadBandwidth(1));
    flops = Math.Max(flops, MachinePeaks.FmaFlops(cores));
    GC.Collect();
}
MeasurePeaks();

// The checkpoint store, fresh: conversion is measured once here, then every load reads the entry.
var cacheRoot = Path.Combine(options.Directory, "cache");
if (Directory.Exists(cacheRoot))
    Directory.Delete(cacheRoot, recursive: true);
var cache = new CheckpointCache(cacheRoot, 100_000_000_000);
var clock = Stopwatch.StartNew();
string entryFolder;
TimeSpan convert;
using (var entry = cache.Acquire(ModelSource.Parse(modelFolder)))
{
    entryFolder = entry.Directory;
    convert = entry.ConvertTime;
}
var hitClock = Stopwatch.StartNew();
using (cache.Acquire(ModelSource.Parse(modelFolder)))
{
}
var hitLookup = hitClock.Elapsed;

var canDrop = PageCache.TryDrop();
IReadOnlyList<LoadResult> cold = [];
IReadOnlyList<LoadResult> warm = [];
if (!options.SkipLoad)
{
    if (canDrop)
    {
        Progress($"checkpoint loading, cold (page cache dropped before each of {options.Runs} runs)");
        cold = LoadBench.Run(modelFolder, entryFolder, cold: true, options.Runs, Progress);
    }
    else
    {
        Progress("cannot drop the page cache (not root?): cold loads skipped, all loads are warm");
    }
    Progress($"checkpoint loading, warm ({options.Runs} runs after one that fills the page cache)");
    warm = LoadBench.Run(modelFolder, entryFolder, cold: false, options.Runs, Progress);
}

MeasurePeaks();
var decode = new List<DecodeResult>();
string? engineLoad = null;
(double Median, double Best) ttft = (0, 0);
if (!options.SkipDecode)
{
    using var engine = InferenceEngine.Load(modelFolder, "bench", options.Batches.Max(), cache);
    engineLoad = engine.LoadReport.Describe();
    Progress($"engine loaded: {engineLoad}");
    DecodeBench.Ttft(engine, 16, 1, seed: 1); // JIT and first-touch warm-up
    Progress($"TTFT, batch 1, {options.PromptTokens}-token prompt");
    ttft = DecodeBench.Ttft(engine, options.PromptTokens, 5, seed: 2);
    foreach (var batch in options.Batches)
    {
        Progress($"decode, batch {batch}: {options.PromptTokens}-token prompts, {options.NewTokens} new tokens each");
        var result = DecodeBench.Run(engine, batch, options.PromptTokens, options.NewTokens, seed: 100 + batch);
        Progress($"  {result.TokensPerSecond:0.0} tokens/s, {result.SecondsPerStep * 1000:0.0} ms/step (fast steps {result.FastStepSeconds * 1000:0.0} ms), mean TTFT {result.MeanTtftSeconds:0.000} s");
        decode.Add(result);
    }
}

MeasurePeaks();

// ---- report ----
var weightBytes = shape.DecodeWeightBytes(options.DType == "BF16" ? 2 : 4); // the engine keeps BF16 matrices as BF16
string Gb(double bytes) => $"{bytes / 1e9:0.00}";
string Pct(double x) => $"{x * 100:0}%";
Console.WriteLine($"## SkyServe agent benchmark ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
Console.WriteLine();
Console.WriteLine($"Machine: {CpuName()}, {cores} cores, {Gb(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)} GB; peak read bandwidth {Gb(bandwidth)} GB/s ({Gb(bandwidthOneCore)} GB/s on one core), peak FMA {flops / 1e9:0} GFLOP/s (float32).");
Console.WriteLine($"Model: Llama-shaped, {shape.Parameters / 1e6:0.0}M parameters (hidden {shape.Hidden}, {shape.Layers} layers, intermediate {shape.Intermediate}, {shape.Heads} heads, {shape.KeyValueHeads} KV heads, vocab {shape.Vocab}, tied embeddings), random weights, {options.DType} safetensors; {Gb(weightBytes)} GB of weights ({options.DType}, as the engine keeps them) read per decode step.");
Console.WriteLine($"Checkpoint store: conversion to the packed layout {convert.TotalSeconds:0.00} s (once per model); cache-hit lookup {hitLookup.TotalMilliseconds:0} ms.");
if (engineLoad is not null)
    Console.WriteLine($"Engine start with a cache hit (InferenceEngine.LoadReport): {engineLoad}.");
Console.WriteLine($"Peaks are the best of three measurements spread over the run (load average at the end: {LoadAverage()}).");
Console.WriteLine();

void LoadTable(string title, IReadOnlyList<LoadResult> results)
{
    if (results.Count == 0)
        return;
    var plain = results[0];
    var safetensors = results.Single(result => result.Name.StartsWith("safetensors"));
    Console.WriteLine($"### Checkpoint loading, {title} (median of {options.Runs})");
    Console.WriteLine();
    Console.WriteLine("| reader | GB | seconds | GB/s | vs plain read | vs safetensors |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    foreach (var result in results)
        Console.WriteLine($"| {result.Name} | {Gb(result.Bytes)} | {result.Median:0.000} | {result.GigabytesPerSecond:0.00} | {Pct(plain.Median / result.Median)} | {safetensors.Median / result.Median:0.00}x |");
    Console.WriteLine();
}
LoadTable("cold (page cache dropped)", cold);
LoadTable(canDrop ? "warm (file in the page cache)" : "warm (the page cache could not be dropped)", warm);

if (decode.Count > 0)
{
    Console.WriteLine($"### Generation ({options.PromptTokens}-token prompts, {options.NewTokens} new tokens, greedy, through ContinuousBatcher)");
    Console.WriteLine();
    Console.WriteLine("| figure | measured (median) | fast steps (p10) | memory bound | compute bound | MBU median / fast | MFU median / fast |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
    foreach (var result in decode)
    {
        var stepBytes = weightBytes + result.Batch * result.MeanContext * shape.KvBytesPerPosition;
        var memoryBound = result.Batch * bandwidth / stepBytes;
        var computeBound = flops / DecodeFlopsPerToken(shape, result.MeanContext);
        Console.WriteLine($"| decode, batch {result.Batch} | {result.TokensPerSecond:0.0} tokens/s ({result.SecondsPerStep * 1000:0.0} ms/step) | {result.FastTokensPerSecond:0.0} tokens/s ({result.FastStepSeconds * 1000:0.0} ms/step) | {memoryBound:0} tokens/s ({Gb(stepBytes)} GB/step) | {computeBound:0} tokens/s | {Pct(result.TokensPerSecond / memoryBound)} / {Pct(result.FastTokensPerSecond / memoryBound)} | {Pct(result.TokensPerSecond / computeBound)} / {Pct(result.FastTokensPerSecond / computeBound)} |");
    }
    var prefillFlops = PrefillFlops(shape, options.PromptTokens);
    Console.WriteLine($"| TTFT, batch 1, {options.PromptTokens}-token prompt | {ttft.Median * 1000:0} ms | {ttft.Best * 1000:0} ms (best of 5) | {weightBytes / bandwidth * 1000:0} ms | {prefillFlops / flops * 1000:0} ms ({prefillFlops / 1e9:0.0} GFLOP) | — | {Pct(prefillFlops / flops / ttft.Median)} / {Pct(prefillFlops / flops / ttft.Best)} |");
    foreach (var result in decode.Where(result => result.Batch > 1))
        Console.WriteLine($"| TTFT, batch {result.Batch} arriving together | {result.MeanTtftSeconds * 1000:0} ms (mean) | — | — | {prefillFlops * result.Batch / flops * 1000:0} ms for all | — | {Pct(prefillFlops * result.Batch / flops / result.MeanTtftSeconds)} |");
    Console.WriteLine();
}

Console.WriteLine(JsonSerializer.Serialize(new
{
    bandwidth_gbps = bandwidth / 1e9,
    fma_gflops = flops / 1e9,
    parameters = shape.Parameters,
    dtype = options.DType,
    convert_s = convert.TotalSeconds,
    cold = cold.Select(r => new { r.Name, gbps = r.GigabytesPerSecond, median_s = r.Median }),
    warm = warm.Select(r => new { r.Name, gbps = r.GigabytesPerSecond, median_s = r.Median }),
    ttft_ms = ttft.Median * 1000,
    ttft_best_ms = ttft.Best * 1000,
    decode = decode.Select(r => new { r.Batch, tokens_per_s = r.TokensPerSecond, ms_per_step = r.SecondsPerStep * 1000, fast_tokens_per_s = r.FastTokensPerSecond, mbu = r.TokensPerSecond / (r.Batch * bandwidth / (weightBytes + r.Batch * r.MeanContext * shape.KvBytesPerPosition)) }),
}));
return 0;

// One decode token: every matrix once (the head for its one row), attention over the mean context.
static double DecodeFlopsPerToken(BenchModelShape shape, double context)
{
    var perLayerMatmul = 2.0 * shape.Hidden * shape.Hidden + 2.0 * shape.KeyValueDim * shape.Hidden + 3.0 * shape.Intermediate * shape.Hidden;
    return 2.0 * perLayerMatmul * shape.Layers + 4.0 * context * shape.HeadDim * shape.Heads * shape.Layers + 2.0 * shape.Vocab * shape.Hidden;
}

static double PrefillFlops(BenchModelShape shape, int tokens)
{
    var perLayerMatmul = 2.0 * shape.Hidden * shape.Hidden + 2.0 * shape.KeyValueDim * shape.Hidden + 3.0 * shape.Intermediate * shape.Hidden;
    var attention = 2.0 * tokens * tokens * shape.HeadDim * shape.Heads; // QK and AV over the causal half, 2 flops each
    return 2.0 * tokens * perLayerMatmul * shape.Layers + attention * shape.Layers + 2.0 * shape.Vocab * shape.Hidden; // logits for the last position only
}

static string FindRepo()
{
    foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "SkyServe.sln")))
                return dir.FullName;
    throw new InvalidOperationException("run inside the repository (it reads tests/fixtures/tiny-llama's tokenizer)");
}

static string LoadAverage()
{
    try
    {
        return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
    }
    catch (IOException)
    {
        return "unknown";
    }
}

static string CpuName()
{
    try
    {
        return File.ReadLines("/proc/cpuinfo").FirstOrDefault(line => line.StartsWith("model name"))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
    }
    catch (IOException)
    {
        return "unknown CPU";
    }
}

internal sealed record BenchOptions(string Directory, string DType, int Runs, int PromptTokens, int NewTokens, int[] Batches, int Layers, int Vocab, bool SkipLoad, bool SkipDecode)
{
    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions(Path.Combine(Path.GetTempPath(), "skyserve-bench-agent"), "BF16", 5, 128, 48, [1, 8, 32], 12, 32000, false, false);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--dir" => o with { Directory = Next() },
                "--dtype" => o with { DType = DTypeOf(Next()) },
                "--runs" => o with { Runs = int.Parse(Next()) },
                "--prompt-tokens" => o with { PromptTokens = int.Parse(Next()) },
                "--new-tokens" => o with { NewTokens = int.Parse(Next()) },
                "--batches" => o with { Batches = Next().Split(',').Select(int.Parse).ToArray() },
                "--layers" => o with { Layers = int.Parse(Next()) },
                "--vocab" => o with { Vocab = int.Parse(Next()) },
                "--skip-load" => o with { SkipLoad = true },
                "--skip-decode" => o with { SkipDecode = true },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }

    private static string DTypeOf(string value) => value.ToUpperInvariant() switch
    {
        "BF16" => "BF16",
        "F32" => "F32",
        _ => throw new ArgumentException("--dtype is bf16 or f32"),
    };
}
