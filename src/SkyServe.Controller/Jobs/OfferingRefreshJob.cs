using Quartz;
using SkyServe.Controller.Cloud;

namespace SkyServe.Controller.Jobs;

/// <summary>Refreshes the provider's offerings and prices (for real clouds, their price lists change hourly).</summary>
[DisallowConcurrentExecution]
public sealed class OfferingRefreshJob(OfferingCache offerings) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken ct) => await offerings.RefreshAsync(ct);
}
