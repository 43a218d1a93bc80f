using System.Globalization;
using SkyServe.ReplicaAgent.Hosting;
using SkyServe.ReplicaAgent.Interruption;

namespace SkyServe.ReplicaAgent.Health;

/// <summary>
/// What the agent knows about itself: when it started, whether the model has "loaded", whether an
/// interruption notice arrived and whether it is draining. Read by requests, written by the watcher and shutdown.
/// </summary>
public sealed class AgentState
{
    private readonly TimeProvider time;
    private readonly long startTimestamp;
    private readonly TimeSpan readyDelay;
    private InterruptionNotice? interruption;
    private IEngineHealth? engine;
    private volatile bool draining;

    public AgentState(AgentOptions options, TimeProvider time)
    {
        this.time = time;
        startTimestamp = time.GetTimestamp();
        StartedAt = time.GetUtcNow();
        readyDelay = options.ReadyDelay;
        MachineId = options.MachineId;
    }

    public string MachineId { get; }
    public DateTimeOffset StartedAt { get; }
    public InterruptionNotice? Interruption => Volatile.Read(ref interruption);
    public bool IsDraining => draining;

    /// <summary>The engine the agent supervises, when it starts after the agent (the external engine); null otherwise.</summary>
    public IEngineHealth? Engine => Volatile.Read(ref engine);

    public AgentStatus Status =>
        Interruption is not null ? AgentStatus.Interrupted
        : Engine?.Failure is not null ? AgentStatus.Failed
        : draining ? AgentStatus.Draining
        : AgentStatus.Ok;

    public void AttachEngine(IEngineHealth value) => Volatile.Write(ref engine, value);

    /// <summary>Keeps the first notice only; returns whether this one was it.</summary>
    public bool RecordInterruption(InterruptionNotice notice) =>
        Interlocked.CompareExchange(ref interruption, notice, null) is null;

    public void BeginDrain() => draining = true;

    public Readiness GetReadiness()
    {
        if (draining)
            return new Readiness(false, "draining", "the agent is shutting down");
        if (Interruption is { } notice)
            return new Readiness(false, "interrupted", $"the cloud will {notice.Action.ToString().ToLowerInvariant()} this machine at {UtcTimestamp.Format(notice.Time)}");
        // Monotonic clock: a wall-clock step must not make a loading replica ready, or a ready one loading.
        var remaining = readyDelay - time.GetElapsedTime(startTimestamp);
        if (remaining > TimeSpan.Zero)
            return new Readiness(false, "loading", string.Create(CultureInfo.InvariantCulture, $"model loading; ready in {remaining.TotalSeconds:0.0} s"));
        return Engine?.Readiness ?? Readiness.Ready;
    }
}
