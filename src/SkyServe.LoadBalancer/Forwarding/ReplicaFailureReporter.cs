using Microsoft.Extensions.Logging;
using SkyServe.Contracts.Routing;
using SkyServe.LoadBalancer.Routing;

namespace SkyServe.LoadBalancer.Forwarding;

/// <summary>Tells the controller about a replica that failed an attempt, off the request path; without a controller it only logs.</summary>
public sealed class ReplicaFailureReporter(ControllerClient? controller, ILogger<ReplicaFailureReporter> log)
{
    public void Report(string service, string replicaId, string reason)
    {
        log.ReplicaAttemptFailed(replicaId, service, reason);
        if (controller is null || !int.TryParse(replicaId, out var id))
            return;
        _ = Task.Run(async () =>
        {
            try
            {
                await controller.ReportFailureAsync(new ReplicaFailureReport(service, id, reason), CancellationToken.None);
            }
            catch (Exception e)
            {
                log.FailureReportFailed(e.Message);
            }
        });
    }
}

internal static partial class ReplicaFailureReporterLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "replica {Replica} of {Service} failed an attempt: {Reason}")]
    public static partial void ReplicaAttemptFailed(this ILogger logger, string replica, string service, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "could not report the failure to the controller: {Error}")]
    public static partial void FailureReportFailed(this ILogger logger, string error);
}
