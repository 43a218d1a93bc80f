using Yarp.ReverseProxy.Forwarder;

namespace SkyServe.ReplicaAgent.External;

/// <summary>The log lines of <see cref="ExternalEngineEndpoints"/>.</summary>
internal static partial class ExternalEngineEndpointsLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "forwarding {Method} {Path} to the engine failed: {Error}")]
    public static partial void ForwardingFailed(this ILogger logger, Exception? exception, string method, PathString path, ForwarderError error);
}
