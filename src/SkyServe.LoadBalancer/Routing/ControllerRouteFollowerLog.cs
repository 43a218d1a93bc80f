using Microsoft.Extensions.Logging;

namespace SkyServe.LoadBalancer.Routing;

/// <summary>The log lines of <see cref="ControllerRouteFollower"/>.</summary>
internal static partial class ControllerRouteFollowerLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot reach the controller ({Error}); routing with the last known replicas")]
    public static partial void ControllerUnreachable(this ILogger logger, string error);
}
