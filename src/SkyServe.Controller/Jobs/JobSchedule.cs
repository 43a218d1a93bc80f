using Quartz;

namespace SkyServe.Controller.Jobs;

/// <summary>How often the slow periodic jobs run. Configuration, section "SkyServe:Jobs".</summary>
public sealed record JobSchedule
{
    public TimeSpan OrphanCollection { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan OfferingRefresh { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Machines younger than this are never collected, whatever the rows say.</summary>
    public TimeSpan OrphanGrace { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How often old service events are deleted (<see cref="EventRetentionJob"/>).</summary>
    public TimeSpan EventRetention { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Events older than this are deleted.</summary>
    public TimeSpan KeepEventsFor { get; init; } = TimeSpan.FromDays(30);
    /// <summary>At most this many of a service's newest events are kept, whatever their age.</summary>
    public int MaxEventsPerService { get; init; } = 10_000;
    /// <summary>How often uploaded archives no version names any more are deleted (<see cref="BlobRetentionJob"/>).</summary>
    public TimeSpan BlobRetention { get; init; } = TimeSpan.FromMinutes(10);

    public void AddTo(IQuartzBuilder quartz)
    {
        Every<OrphanMachineCollectorJob>(quartz, OrphanCollection);
        Every<OfferingRefreshJob>(quartz, OfferingRefresh);
        Every<EventRetentionJob>(quartz, EventRetention);
        Every<BlobRetentionJob>(quartz, BlobRetention);
    }

    private static void Every<TJob>(IQuartzBuilder quartz, TimeSpan interval) where TJob : IJob
    {
        var key = new JobKey(typeof(TJob).Name);
        quartz.AddJob<TJob>(j => j.WithIdentity(key));
        quartz.AddTrigger(t => t.ForJob(key).StartNow().WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever()));
    }
}
