namespace SkyServe.ReplicaAgent.External;

/// <summary>The log lines of <see cref="ExternalEngine"/> (the engine's own output goes to <see cref="EngineLog"/>).</summary>
internal static partial class ExternalEngineLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Exited}; restarting in {Delay} s")]
    public static partial void EngineRestarting(this ILogger logger, string exited, double delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "the engine failed: {Failure}")]
    public static partial void EngineFailed(this ILogger logger, string failure);

    [LoggerMessage(Level = LogLevel.Error, Message = "the agent could not run the engine")]
    public static partial void EngineRunFailed(this ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "setup failed: {Failure}; its output is in {Log}")]
    public static partial void SetupFailed(this ILogger logger, string failure, string log);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Step}")]
    public static partial void TaskFilesStep(this ILogger logger, string step);

    [LoggerMessage(Level = LogLevel.Information, Message = "the engine listens on port {Port}")]
    public static partial void EngineListening(this ILogger logger, int port);
}
