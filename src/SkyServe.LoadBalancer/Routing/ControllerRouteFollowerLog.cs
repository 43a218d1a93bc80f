using Microsoft.Extensions.Logging;

namespace SkyServe.LoadBalancer.Routing;

/// <summary>The log lines of <see cref="ControllerRouteFollower"/>.</summary>
internal static partial class ControllerRouteFollowerLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot reach the controller ({Error}); routing with the last known replicas")]
    public static partial void ControllerUnreachable(this ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "the TLS certificate of service {Service} does not load ({Error}); its own port stays closed")]
    public static partial void CertificateUnreadable(this ILogger logger, string service, string error);
}
