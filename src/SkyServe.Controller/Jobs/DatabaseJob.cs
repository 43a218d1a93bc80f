using Quartz;
using SkyServe.Controller.Persistence;

namespace SkyServe.Controller.Jobs;

/// <summary>
/// A periodic job that reads the database: a run that finds it away ends quietly (the outage is logged once,
/// by <see cref="DatabaseOutage"/>) and the next run of the schedule is the retry. Quartz would log each
/// failed run with its stack trace.
/// </summary>
public abstract class DatabaseJob(DatabaseOutage outage) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct)
    {
        try
        {
            await RunAsync(ct);
            outage.Succeeded();
        }
        catch (Exception e) when (DatabaseFailures.IsTransient(e) && !ct.IsCancellationRequested)
        {
            outage.Failed(GetType().Name, e);
        }
    }

    protected abstract Task RunAsync(CancellationToken ct);
}
