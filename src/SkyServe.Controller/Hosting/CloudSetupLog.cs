namespace SkyServe.Controller.Hosting;

/// <summary>The log lines of <see cref="CloudSetup"/>.</summary>
internal static partial class CloudSetupLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "clouds: {Clouds}")]
    public static partial void CloudsConfigured(this ILogger logger, string clouds);
}
