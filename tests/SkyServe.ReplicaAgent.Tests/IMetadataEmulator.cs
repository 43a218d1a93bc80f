using System.Net;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>What the end-to-end tests need of each cloud's metadata emulator, whatever its wire format.</summary>
public interface IMetadataEmulator : IAsyncDisposable
{
    /// <summary>The agent's --metadata-format for it.</summary>
    string Format { get; }

    /// <summary>The base URL handed to the agent's --metadata-url.</summary>
    Uri BaseUrl { get; }

    /// <summary>Requests that asked for a notice (instance-action, preempted, scheduledevents).</summary>
    int NoticeRequests { get; }

    /// <summary>Requests refused for a missing header or token.</summary>
    int RefusedRequests { get; }

    /// <summary>From now on the machine is to be reclaimed at <paramref name="deadline"/> (GCP states no deadline).</summary>
    void Announce(DateTimeOffset deadline);

    /// <summary>Every request answers this status until <see cref="Recover"/>.</summary>
    void FailWith(HttpStatusCode status);

    void Recover();
}

public static class MetadataEmulators
{
    public static async Task<IMetadataEmulator> StartAsync(string format, string machineId) => format switch
    {
        "aws" => await ImdsEmulator.StartAsync(machineId),
        "gcp" => await GcpMetadataEmulator.StartAsync(machineId),
        "azure" => await AzureMetadataEmulator.StartAsync(machineId),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };
}
