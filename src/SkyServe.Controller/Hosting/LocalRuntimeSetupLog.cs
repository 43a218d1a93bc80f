namespace SkyServe.Controller.Hosting;

/// <summary>The log lines of <see cref="LocalRuntimeSetup"/>.</summary>
internal static partial class LocalRuntimeSetupLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "local runtime: {Zones} simulated zones from {File}, time ×{Compression}")]
    public static partial void LocalRuntimeStarting(this ILogger logger, int zones, string file, double compression);
}
