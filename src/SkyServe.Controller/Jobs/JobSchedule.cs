using Quartz;

namespace SkyServe.Controller.Jobs;

/// <summary>How often the slow periodic jobs run. Configuration, section "SkyServe:Jobs".</summary>
public sealed record JobSchedule
{
    public TimeSpan OrphanCollection { get; init; } = TimeSpan.FromMinutes(1);
    public TimeSpan CostAccounting { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan OfferingRefresh { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Machines younger than this are never collected, whatever the rows say.</summary>
    public TimeSpan OrphanGrace { get; init; } = TimeSpan.FromSeconds(30);

    public void AddTo(IQuartzBuilder quartz)
    {
        Every<OrphanMachineCollectorJob>(quartz, OrphanCollection);
        Every<CostAccountingJob>(quartz, CostAccounting);
        Every<OfferingRefreshJob>(quartz, OfferingRefresh);
    }

    private static void Every<TJob>(IQuartzBuilder quartz, TimeSpan interval) where TJob : IJob
    {
        var key = new JobKey(typeof(TJob).Name);
        quartz.AddJob<TJob>(j => j.WithIdentity(key));
        quartz.AddTrigger(t => t.ForJob(key).StartNow().WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever()));
    }
}
