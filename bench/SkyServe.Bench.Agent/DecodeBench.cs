using System.Diagnostics;
using SkyServe.Inference.Generation;
using SkyServe.Inference.Serving;

namespace SkyServe.Bench.Agent;

/// <summary>Decode throughput of one batch size, and the time to first token of the batch's requests.</summary>
/// <param name="TokensPerSecond">Tokens over the window's wall time.</param>
/// <param name="FastStepSeconds">The 10th percentile of single-step times in the window: what a step costs when nothing else on the machine gets in the way.</param>
public sealed record DecodeResult(int Batch, double TokensPerSecond, double SecondsPerStep, double FastStepSeconds, double MeanTtftSeconds, double MeanContext, int WindowTokens)
{
    public double FastTokensPerSecond => Batch / FastStepSeconds;
}

/// <summary>
/// Runs requests through the engine's ContinuousBatcher as the HTTP endpoints do. Batch B: B requests with
/// random prompts of P tokens submitted together, greedy, ignore_eos, N new tokens each. Decode throughput is
/// measured over the window in which all B sequences are decoding together (from the last request's first token
/// to the first request's last), so prefill and the batch's ragged edges stay out of it.
/// </summary>
public static class DecodeBench
{
    public static DecodeResult Run(InferenceEngine engine, int batch, int promptTokens, int newTokens, int seed)
    {
        var random = new Random(seed);
        var parameters = new SamplingParameters(MaxTokens: newTokens, Temperature: 0, IgnoreEos: true);
        var clock = Stopwatch.StartNew();
        var prompts = Enumerable.Range(0, batch).Select(_ => Enumerable.Range(0, promptTokens).Select(_ => random.Next(5, 400)).ToArray()).ToList();
        var submitted = clock.Elapsed.TotalSeconds;
        var requests = prompts.Select(prompt => engine.Batcher.Submit(prompt, parameters)).ToList();
        var traces = requests.Select(request => Task.Run(async () =>
        {
            var events = new List<(double Time, int Tokens)>();
            await foreach (var update in request.Output.ReadAllAsync())
                events.Add((clock.Elapsed.TotalSeconds, update.CompletionTokens));
            return events;
        })).ToArray();
        Task.WaitAll(traces);
        var all = traces.Select(trace => trace.Result).ToList();
        if (all.Any(events => events.Count == 0 || events[^1].Tokens != newTokens))
            throw new InvalidOperationException("a request ended early");

        var start = all.Max(events => events[0].Time);
        var end = all.Min(events => events[^1].Time);
        if (end <= start)
            throw new InvalidOperationException($"batch {batch}: the requests never decoded together (raise the new-token count)");
        static int TokensAt(List<(double Time, int Tokens)> events, double time) => events.LastOrDefault(e => e.Time <= time).Tokens;
        var windowTokens = all.Sum(events => TokensAt(events, end) - TokensAt(events, start));
        var perSequence = (double)windowTokens / batch;
        var meanContext = promptTokens + all.Average(events => (TokensAt(events, start) + TokensAt(events, end)) / 2.0);
        // Step times: the gaps between one request's consecutive events in the window, per token they added.
        var steps = all.SelectMany(events => events.Zip(events.Skip(1))
                .Where(pair => pair.First.Time >= start && pair.Second.Time <= end && pair.Second.Tokens > pair.First.Tokens)
                .Select(pair => (pair.Second.Time - pair.First.Time) / (pair.Second.Tokens - pair.First.Tokens)))
            .Order()
            .ToList();
        return new DecodeResult(batch, windowTokens / (end - start), (end - start) / perSequence, steps[steps.Count / 10],
            all.Average(events => events[0].Time - submitted), meanContext, windowTokens);
    }

    /// <summary>Time to first token of one request alone with a P-token prompt (max_tokens 1): the median and the best of <paramref name="runs"/>.</summary>
    public static (double Median, double Best) Ttft(InferenceEngine engine, int promptTokens, int runs, int seed)
    {
        var random = new Random(seed);
        var times = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var prompt = Enumerable.Range(0, promptTokens).Select(_ => random.Next(5, 400)).ToArray();
            var clock = Stopwatch.StartNew();
            var request = engine.Batcher.Submit(prompt, new SamplingParameters(MaxTokens: 1, Temperature: 0, IgnoreEos: true));
            while (request.Output.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
                while (request.Output.TryRead(out _))
                {
                }
            times.Add(clock.Elapsed.TotalSeconds);
        }
        return (times.Order().ElementAt(times.Count / 2), times.Min());
    }
}
