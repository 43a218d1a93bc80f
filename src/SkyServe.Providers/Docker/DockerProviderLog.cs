using Microsoft.Extensions.Logging;

namespace SkyServe.Providers.Docker;

/// <summary>The log lines of <see cref="DockerCloudProvider"/>.</summary>
internal static partial class DockerProviderLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "docker container {Machine} launched as {Offering}, agent port {Port}")]
    public static partial void DockerContainerLaunched(this ILogger logger, string machine, string offering, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "launch {ClientToken}: disk_size {DiskSizeGb} GB and disk_tier {DiskTier} do not apply to docker containers, which use the host's disk")]
    public static partial void DockerDiskSettingsIgnored(this ILogger logger, string clientToken, int diskSizeGb, string diskTier);

    [LoggerMessage(Level = LogLevel.Information, Message = "docker container {Machine} removed: {Reason}")]
    public static partial void DockerContainerRemoved(this ILogger logger, string machine, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "removing the ended docker container {Machine} failed; the next list tries again")]
    public static partial void DockerRemoveFailed(this ILogger logger, Exception exception, string machine);

    [LoggerMessage(Level = LogLevel.Information, Message = "docker zone {Zone}: spot capacity fell to {Capacity}; container {Machine} reclaimed, removed at {Deadline:o}")]
    public static partial void DockerSpotReclaimed(this ILogger logger, string zone, int capacity, string machine, DateTimeOffset deadline);

    [LoggerMessage(Level = LogLevel.Information, Message = "the docker spot market's metadata endpoint (AWS IMDSv2 format) serves on 127.0.0.1:{Port}")]
    public static partial void DockerMetadataServing(this ILogger logger, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "docker host {Zone} did not give the spot market's epoch: the market starts its traces now")]
    public static partial void DockerMarketEpochUnknown(this ILogger logger, Exception exception, string zone);

    [LoggerMessage(Level = LogLevel.Error, Message = "a step of the docker spot market failed")]
    public static partial void DockerMarketStepFailed(this ILogger logger, Exception exception);
}
