using SkyServe.Core.Metrics;
using System.Collections.Concurrent;
using System.Diagnostics;
using SkyServe.Inference.Generation;
using SkyServe.Inference.Serving;

namespace SkyServe.ReplicaAgent.Metrics;

/// <summary>
/// The built-in engine's metrics after MoE-CAP: tokens, latencies (TTFT, TPOT, end to end), batch occupancy,
/// KV-cache use, model loading, and model bandwidth and FLOPs utilization. The batcher reports each step and
/// request (<see cref="IGenerationObserver"/>); the rest is read when /metrics is scraped.
/// <para>
/// MBU = (streamed weight bytes + KV bytes read) ÷ step time ÷ peak bandwidth, over decode-only steps: each
/// decode step reads every streamed weight once (the CPU engine runs the whole batch through each weight row)
/// and, per sequence, the keys and values of its whole context. MFU = 2 × streamed parameters × tokens ÷ step
/// time ÷ peak FLOPs, over all steps. Both gauges cover the last <see cref="Window"/> such steps and keep their
/// value while idle; the _total counters let PromQL take rate() over any window instead.
/// </para>
/// </summary>
public sealed class EngineMetrics : IGenerationObserver
{
    /// <summary>Steps the MBU and MFU gauges average over.</summary>
    public const int Window = 256;

    // Buckets after vLLM's, extended downwards for a CPU engine on small models.
    private static readonly double[] TtftBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
    private static readonly double[] TpotBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
    private static readonly double[] E2eBuckets = [0.01, 0.025, 0.05, 0.1, 0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];

    private readonly Counter promptTokens = new();
    private readonly Counter generationTokens = new();
    private readonly ConcurrentDictionary<string, Counter> finished = new();
    private readonly Histogram timeToFirstToken = new(TtftBuckets);
    private readonly Histogram timePerOutputToken = new(TpotBuckets);
    private readonly Histogram e2eLatency = new(E2eBuckets);
    private readonly Counter decodeSteps = new();
    private readonly Counter mixedSteps = new();
    private readonly Counter stepSeconds = new();
    private readonly Counter decodeStepSeconds = new();
    private readonly Counter decodeBytes = new();
    private readonly Counter flops = new();
    private readonly Lock windowGate = new();
    private readonly Queue<(double Bytes, double Seconds)> decodeWindow = new();
    private readonly Queue<(double Flops, double Seconds)> stepWindow = new();
    private InferenceEngine? engine;
    private ModelFootprint? footprint;
    private DevicePeaks? peaks;

    /// <summary>Called once the model has loaded (the batcher is built with this observer before that).</summary>
    public void Attach(InferenceEngine engine, ModelFootprint footprint, DevicePeaks peaks)
    {
        this.engine = engine;
        this.footprint = footprint;
        this.peaks = peaks;
    }

    public ModelFootprint? Footprint => footprint;
    public DevicePeaks? Peaks => peaks;

    public void FirstToken(GenerationRequest request, long timestamp)
    {
        timeToFirstToken.Observe(Seconds(request.SubmittedTimestamp, timestamp));
    }

    public void Finished(GenerationRequest request, int prompt, int completion, string finishReason, long timestamp)
    {
        promptTokens.Add(prompt);
        generationTokens.Add(completion);
        finished.GetOrAdd(finishReason, _ => new Counter()).Add(1);
        e2eLatency.Observe(Seconds(request.SubmittedTimestamp, timestamp));
        // Decode time per token after the first, for requests that decoded at all.
        if (request.FirstTokenTimestamp is { } first && completion > 1)
            timePerOutputToken.Observe(Seconds(first, timestamp) / (completion - 1));
    }

    public void Step(StepStatistics step)
    {
        if (footprint is not { } model)
            return;
        var seconds = step.Elapsed.TotalSeconds;
        var stepFlops = 2.0 * model.StreamedParameters * step.NewTokens;
        stepSeconds.Add(seconds);
        flops.Add(stepFlops);
        lock (windowGate)
        {
            Push(stepWindow, (stepFlops, seconds));
            if (step.DecodeOnly)
            {
                var bytes = (double)model.StreamedWeightBytes + (double)step.ContextTokens * model.KvBytesPerToken;
                decodeBytes.Add(bytes);
                decodeStepSeconds.Add(seconds);
                Push(decodeWindow, (bytes, seconds));
            }
        }
        (step.DecodeOnly ? decodeSteps : mixedSteps).Add(1);
    }

    /// <summary>Model bandwidth utilization over the recent decode steps; null before the first one.</summary>
    public double? BandwidthUtilization
    {
        get
        {
            lock (windowGate)
                return peaks is null || decodeWindow.Count == 0 ? null : decodeWindow.Sum(s => s.Bytes) / decodeWindow.Sum(s => s.Seconds) / peaks.BandwidthBytesPerSecond;
        }
    }

    /// <summary>Model FLOPs utilization over the recent steps; null before the first one.</summary>
    public double? FlopsUtilization
    {
        get
        {
            lock (windowGate)
                return peaks is null || stepWindow.Count == 0 ? null : stepWindow.Sum(s => s.Flops) / stepWindow.Sum(s => s.Seconds) / peaks.Flops;
        }
    }

    public void WriteTo(PrometheusText text)
    {
        if (engine is null || footprint is not { } model || peaks is null)
            return;
        var name = ("model_name", engine.Name);

        text.Family("skyserve_prompt_tokens_total", "counter", "Prompt tokens processed (prefill), counted when the request leaves the batch.");
        text.Sample("skyserve_prompt_tokens_total", promptTokens.Value, name);
        text.Family("skyserve_generation_tokens_total", "counter", "Tokens generated (the completion tokens of usage).");
        text.Sample("skyserve_generation_tokens_total", generationTokens.Value, name);
        text.Family("skyserve_request_success_total", "counter", "Requests that left the batch, by finish reason (stop, length, abort).");
        foreach (var (reason, counter) in finished.OrderBy(f => f.Key))
            text.Sample("skyserve_request_success_total", counter.Value, name, ("finished_reason", reason));

        text.Family("skyserve_time_to_first_token_seconds", "histogram", "Time from a request's arrival to its first token (TTFT).");
        timeToFirstToken.WriteTo(text, "skyserve_time_to_first_token_seconds", name);
        text.Family("skyserve_time_per_output_token_seconds", "histogram", "Per request: decode time after the first token divided by the tokens after it (TPOT).");
        timePerOutputToken.WriteTo(text, "skyserve_time_per_output_token_seconds", name);
        text.Family("skyserve_e2e_request_latency_seconds", "histogram", "Time from a request's arrival to its last token.");
        e2eLatency.WriteTo(text, "skyserve_e2e_request_latency_seconds", name);

        var batcher = engine.Batcher;
        text.Family("skyserve_num_requests_running", "gauge", "Requests in the running batch.");
        text.Sample("skyserve_num_requests_running", batcher.Running, name);
        text.Family("skyserve_num_requests_waiting", "gauge", "Requests queued for a place in the batch.");
        text.Sample("skyserve_num_requests_waiting", batcher.Waiting, name);

        var capacity = Math.Min((double)batcher.MaxBatchSize * engine.ContextWindow, engine.Model.KvCacheCapacityTokens);
        var used = (double)batcher.KvCacheTokens;
        text.Family("skyserve_kv_cache_usage_tokens", "gauge", "KV-cache positions held by the running sequences.");
        text.Sample("skyserve_kv_cache_usage_tokens", used, name);
        text.Family("skyserve_kv_cache_capacity_tokens", "gauge", "KV-cache positions the engine may hold: max batch size x context window, or the GPU's KV-cache blocks if fewer.");
        text.Sample("skyserve_kv_cache_capacity_tokens", capacity, name);
        text.Family("skyserve_kv_cache_usage_ratio", "gauge", "KV-cache use: positions held / capacity (0 to 1).");
        text.Sample("skyserve_kv_cache_usage_ratio", used / capacity, name);
        text.Family("skyserve_kv_cache_usage_bytes", "gauge", "Bytes of keys and values held by the running sequences.");
        text.Sample("skyserve_kv_cache_usage_bytes", used * model.KvBytesPerToken, name);

        var loadSeconds = engine.LoadTime.TotalSeconds;
        text.Family("skyserve_model_load_seconds", "gauge", "Time the model took to load (tokenizer, weights, engine).");
        text.Sample("skyserve_model_load_seconds", loadSeconds, name);
        var load = engine.LoadReport;
        text.Family("skyserve_model_load_bytes", "gauge", "Weight bytes read when the model loaded (from the packed layout or the safetensors files).");
        text.Sample("skyserve_model_load_bytes", load.WeightBytes, name);
        text.Family("skyserve_model_load_bytes_per_second", "gauge", "Load bandwidth: weight bytes / time reading them.");
        text.Sample("skyserve_model_load_bytes_per_second", load.WeightGigabytesPerSecond * 1e9, name);
        text.Family("skyserve_model_parameters", "gauge", "Parameters of the model; streamed: those every forward step reads.");
        text.Sample("skyserve_model_parameters", model.Parameters, name, ("kind", "total"));
        text.Sample("skyserve_model_parameters", model.StreamedParameters, name, ("kind", "streamed"));
        text.Family("skyserve_model_streamed_weight_bytes", "gauge", "Weight bytes every forward step reads.");
        text.Sample("skyserve_model_streamed_weight_bytes", model.StreamedWeightBytes, name);

        text.Family("skyserve_device_peak_memory_bandwidth_bytes_per_second", "gauge", "Peak memory bandwidth MBU is measured against (from --peak-bandwidth-gbps, or measured at start-up).");
        text.Sample("skyserve_device_peak_memory_bandwidth_bytes_per_second", peaks.BandwidthBytesPerSecond, ("source", peaks.BandwidthSource));
        text.Family("skyserve_device_peak_flops", "gauge", "Peak FLOP/s MFU is measured against (from --peak-tflops, or measured at start-up).");
        text.Sample("skyserve_device_peak_flops", peaks.Flops, ("source", peaks.FlopsSource));

        text.Family("skyserve_engine_steps_total", "counter", "Forward steps, by phase: decode (every sequence decoding) or mixed (with prompt chunks).");
        text.Sample("skyserve_engine_steps_total", decodeSteps.Value, name, ("phase", "decode"));
        text.Sample("skyserve_engine_steps_total", mixedSteps.Value, name, ("phase", "mixed"));
        text.Family("skyserve_engine_step_seconds_total", "counter", "Time spent in forward steps, by phase.");
        text.Sample("skyserve_engine_step_seconds_total", decodeStepSeconds.Value, name, ("phase", "decode"));
        text.Sample("skyserve_engine_step_seconds_total", stepSeconds.Value - decodeStepSeconds.Value, name, ("phase", "mixed"));
        text.Family("skyserve_engine_decode_bytes_read_total", "counter", "Bytes decode steps read: streamed weights once per step plus each sequence's keys and values.");
        text.Sample("skyserve_engine_decode_bytes_read_total", decodeBytes.Value, name);
        text.Family("skyserve_engine_flops_total", "counter", "FLOPs of all steps: 2 x streamed parameters x tokens.");
        text.Sample("skyserve_engine_flops_total", flops.Value, name);

        text.Family("skyserve_model_bandwidth_utilization", "gauge", $"MBU over the last {Window} decode steps: bytes read / step time / peak bandwidth.");
        text.Sample("skyserve_model_bandwidth_utilization", BandwidthUtilization ?? 0, name);
        text.Family("skyserve_model_flops_utilization", "gauge", $"MFU over the last {Window} steps: FLOPs / step time / peak FLOP/s.");
        text.Sample("skyserve_model_flops_utilization", FlopsUtilization ?? 0, name);
    }

    private static void Push<T>(Queue<T> window, T item)
    {
        window.Enqueue(item);
        if (window.Count > Window)
            window.Dequeue();
    }

    private static double Seconds(long from, long to) => Stopwatch.GetElapsedTime(from, to).TotalSeconds;
}
