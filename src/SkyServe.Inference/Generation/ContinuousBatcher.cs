using System.Collections.Concurrent;
using System.Diagnostics;
using SkyServe.Inference.Model;
using SkyServe.Inference.Tokenization;

namespace SkyServe.Inference.Generation;

/// <summary>
/// Continuous batching: one loop runs the model over every active sequence at once; requests join the
/// batch between steps (their prompt prefilled in chunks alongside others' decode steps) and leave it as
/// soon as they finish, so a short request never waits for a long one.
/// </summary>
public sealed class ContinuousBatcher : IDisposable
{
    private readonly ICausalLanguageModel model;
    private readonly Tokenizer tokenizer;
    private readonly int maxBatchSize;
    private readonly int prefillChunk;
    private readonly HashSet<int> eos;
    private readonly ConcurrentQueue<GenerationRequest> waiting = new();
    private readonly SemaphoreSlim arrived = new(0);
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;
    private readonly IGenerationObserver? observer;
    private int running;
    private long kvCacheTokens;

    public ContinuousBatcher(ICausalLanguageModel model, Tokenizer tokenizer, int maxBatchSize = 32, int prefillChunk = 256,
        IGenerationObserver? observer = null)
    {
        this.model = model;
        this.tokenizer = tokenizer;
        this.maxBatchSize = maxBatchSize;
        this.prefillChunk = prefillChunk;
        this.observer = observer;
        eos = [.. tokenizer.EosIds, .. model.Config.EosTokenIds];
        loop = Task.Factory.StartNew(RunAsync, TaskCreationOptions.LongRunning).Unwrap();
    }

    public int Running => Volatile.Read(ref running);
    public int Waiting => waiting.Count;
    public int MaxBatchSize => maxBatchSize;

    /// <summary>KV-cache positions held by the running sequences after the last step.</summary>
    public long KvCacheTokens => Volatile.Read(ref kvCacheTokens);

    /// <summary>Queues a request; its events arrive on <see cref="GenerationRequest.Output"/>.</summary>
    /// <param name="prefix">Continues an interrupted generation (<see cref="GenerationPrefix"/>); max_tokens counts new tokens only.</param>
    /// <param name="everyToken">An event per sampled token, for clients that track the ids (<see cref="GenerationEvent.TokenIds"/>).</param>
    public GenerationRequest Submit(IReadOnlyList<int> prompt, SamplingParameters parameters, CancellationToken cancellation = default,
        GenerationPrefix? prefix = null, bool everyToken = false)
    {
        if (prompt.Count == 0)
            throw new ArgumentException("the prompt has no tokens", nameof(prompt));
        var request = new GenerationRequest(prompt, parameters, cancellation, prefix, everyToken);
        var fed = request.Prompt.Count; // a resumed prefix's ids are read like the prompt
        if ((long)fed + parameters.MaxTokens > model.Config.MaxPositionEmbeddings) // long: max_tokens may be near int.MaxValue
            throw new ContextWindowExceededException(fed, parameters.MaxTokens, model.Config.MaxPositionEmbeddings);
        if ((long)fed + parameters.MaxTokens > model.KvCacheCapacityTokens)
            throw new ContextWindowExceededException(fed, parameters.MaxTokens, (int)model.KvCacheCapacityTokens);
        waiting.Enqueue(request);
        arrived.Release();
        return request;
    }

    private async Task RunAsync()
    {
        var active = new List<RunningSequence>();
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                if (active.Count == 0)
                    await arrived.WaitAsync(stopping.Token);
                Admit(active);
                Volatile.Write(ref running, active.Count);
                active.RemoveAll(s => s.Request.Cancellation.IsCancellationRequested && Finish(s, FinishReason.Abort));
                if (active.Count > 0)
                    Step(active);
                Volatile.Write(ref running, active.Count);
                Volatile.Write(ref kvCacheTokens, active.Sum(s => (long)s.Cache.Length));
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        foreach (var sequence in active)
            Finish(sequence, FinishReason.Abort);
        while (waiting.TryDequeue(out var left))
            left.Events.Writer.TryComplete(new OperationCanceledException("the engine is shutting down"));
    }

    /// <summary>
    /// Moves waiting requests into the batch, first come first served, while there is room: a place in the batch and, for
    /// engines with a fixed KV-cache budget, cache for the request's prompt and max_tokens (else it waits for others to end).
    /// </summary>
    private void Admit(List<RunningSequence> active)
    {
        while (active.Count < maxBatchSize && waiting.TryPeek(out var request))
        {
            var length = request.Prompt.Count + request.Parameters.MaxTokens;
            if (!model.TryCreateCache(length, out var cache))
                return;
            waiting.TryDequeue(out _);
            active.Add(new RunningSequence(request, cache, tokenizer));
        }
    }

    /// <summary>One model step over the whole batch: a prompt chunk for prefilling sequences, the last token for decoding ones.</summary>
    private void Step(List<RunningSequence> active)
    {
        var steps = active.Select(s =>
        {
            if (!s.IsPrefilling)
                return new SequenceStep(s.Cache, [s.Generated[^1]]);
            var count = Math.Min(prefillChunk, s.Request.Prompt.Count - s.Prefilled);
            var chunk = s.Request.Prompt.Skip(s.Prefilled).Take(count).ToArray();
            s.Prefilled += count;
            return new SequenceStep(s.Cache, chunk);
        }).ToList();
        var wasPrefilling = active.Select(s => s.Prefilled < s.Request.Prompt.Count).ToList();
        var started = Stopwatch.GetTimestamp();
        var tokens = NextTokens(active, steps, wasPrefilling);
        observer?.Step(new StepStatistics(steps.Count, steps.Sum(s => s.Tokens.Count), steps.Sum(s => (long)s.Cache.Length),
            steps.All(s => s.Tokens.Count == 1) && active.All(s => s.Generated.Count > 0), Stopwatch.GetElapsedTime(started)));
        for (var i = active.Count - 1; i >= 0; i--)
        {
            if (wasPrefilling[i])
                continue; // more of the prompt to go: nothing to sample yet
            if (Advance(active[i], tokens[i]))
                active.RemoveAt(i);
        }
    }

    /// <summary>
    /// Runs the step and picks each sequence's next token (ignored for those still prefilling): on the device when the
    /// engine samples there, else from the logits here. Either way a sampled sequence draws one number from its own Random.
    /// </summary>
    private int[] NextTokens(List<RunningSequence> active, List<SequenceStep> steps, List<bool> wasPrefilling)
    {
        if (model is ITokenSamplingModel sampler)
        {
            var draws = new TokenDraw[active.Count];
            for (var i = 0; i < active.Count; i++)
            {
                var parameters = active[i].Request.Parameters;
                draws[i] = wasPrefilling[i] || parameters.IsGreedy
                    ? TokenDraw.Greedy
                    : new TokenDraw((float)parameters.Temperature, (float)Math.Min(parameters.TopP, 1), (float)active[i].Random.NextDouble());
            }
            return sampler.ForwardAndSample(steps, draws);
        }
        var logits = model.Forward(steps);
        var tokens = new int[active.Count];
        for (var i = 0; i < active.Count; i++)
            tokens[i] = wasPrefilling[i] ? -1 : TokenSampler.Sample(logits[i], active[i].Request.Parameters, active[i].Random);
        return tokens;
    }

    /// <summary>Takes the next token of a sequence and streams what became final; true when it finished.</summary>
    private bool Advance(RunningSequence s, int token)
    {
        var parameters = s.Request.Parameters;
        if (s.Request.FirstTokenTimestamp is null)
        {
            s.Request.FirstTokenTimestamp = Stopwatch.GetTimestamp();
            observer?.FirstToken(s.Request, s.Request.FirstTokenTimestamp.Value);
        }
        if (!parameters.IgnoreEos && eos.Contains(token))
        {
            s.Text += s.Decoder.Flush();
            return Finish(s, FinishReason.Stop);
        }
        s.Generated.Add(token);
        s.Text += s.Decoder.Append(token);
        var stop = s.Stops.FindStop(s.Text);
        if (stop >= 0)
        {
            s.Text = s.Text[..stop];
            return Finish(s, FinishReason.Stop);
        }
        if (s.Generated.Count >= s.TokenLimit)
        {
            s.Text += s.Decoder.Flush();
            stop = s.Stops.FindStop(s.Text);
            if (stop >= 0)
                s.Text = s.Text[..stop];
            return Finish(s, FinishReason.Length);
        }
        Emit(s, s.Text.Length - s.Stops.HeldBack(s.Text), null);
        return false;
    }

    private void Emit(RunningSequence s, int upTo, string? finishReason)
    {
        var delta = upTo > s.Emitted ? s.Text[s.Emitted..upTo] : "";
        s.Emitted = Math.Max(s.Emitted, upTo);
        var newToken = s.Request.EveryToken && s.Generated.Count > s.Reported;
        if (delta.Length > 0 || finishReason is not null || newToken)
        {
            s.Reported = s.Generated.Count;
            s.Request.Events.Writer.TryWrite(new GenerationEvent(delta, finishReason, s.Request.PromptTokens, s.Generated.Count, s.Generated.ToArray()));
        }
    }

    private bool Finish(RunningSequence s, string reason)
    {
        observer?.Finished(s.Request, s.Request.Prompt.Count, s.Generated.Count - (s.Request.Prefix?.TokenIds.Count ?? 0), reason, Stopwatch.GetTimestamp());
        Emit(s, s.Text.Length, reason);
        s.Request.Events.Writer.TryComplete();
        s.Dispose();
        return true;
    }

    public void Dispose()
    {
        stopping.Cancel();
        try
        {
            loop.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
        }
        stopping.Dispose();
    }
}
