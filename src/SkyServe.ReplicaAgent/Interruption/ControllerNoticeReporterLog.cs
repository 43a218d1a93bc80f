namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>The log lines of <see cref="ControllerNoticeReporter"/>.</summary>
internal static partial class ControllerNoticeReporterLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "reported the interruption notice to the controller at {Url} (attempt {Attempt})")]
    public static partial void NoticeReported(this ILogger logger, Uri url, int attempt);

    [LoggerMessage(Level = LogLevel.Error,
        Message = "the controller at {Url} refused the interruption notice: {Status} {Detail}; not retrying (it can still read /health)")]
    public static partial void NoticeRefusedByController(this ILogger logger, Uri url, string status, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "gave up reporting the interruption notice to {Url} after {Attempts} attempts: {Failure}")]
    public static partial void NoticeReportGaveUp(this ILogger logger, Uri url, int attempts, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reporting the interruption notice to {Url} failed (attempt {Attempt}): {Failure}; retrying in {Delay} ms")]
    public static partial void NoticeReportRetrying(this ILogger logger, Uri url, int attempt, string failure, long delay);
}
