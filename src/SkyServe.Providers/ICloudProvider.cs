namespace SkyServe.Providers;

/// <summary>
/// How the control plane gets and loses machines (after Karpenter's CloudProvider). Every method is
/// safe to retry: launch is idempotent by <see cref="LaunchRequest.ClientToken"/>, terminate by machine id.
/// Failures are <see cref="CloudProviderException"/> with a <see cref="CloudErrorKind"/>.
/// </summary>
public interface ICloudProvider
{
    /// <summary>The cloud names this provider serves ("aws", or the local runtime's simulated "aws", "gcp", "azure").</summary>
    IReadOnlyCollection<string> Clouds { get; }

    /// <summary>Every instance type × location × market it can launch, with prices; offerings refused for capacity lately are marked unavailable.</summary>
    Task<IReadOnlyList<CloudOffering>> ListOfferingsAsync(CancellationToken ct);

    /// <summary>Starts a machine, or returns the one this client token already started.</summary>
    Task<CloudMachine> LaunchAsync(LaunchRequest request, CancellationToken ct);

    /// <summary>Stops a machine. A machine that is already gone (or never existed) is success.</summary>
    Task TerminateAsync(string machineId, CancellationToken ct);

    /// <summary>The machine, or null when it does not exist (any more).</summary>
    Task<CloudMachine?> GetAsync(string machineId, CancellationToken ct);

    /// <summary>Live machines carrying every one of the given tags.</summary>
    Task<IReadOnlyList<CloudMachine>> ListAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct);

    /// <summary>Notices of coming interruptions (spot reclaims), as the cloud announces them, until cancelled.</summary>
    IAsyncEnumerable<InterruptionNotice> WatchInterruptionsAsync(CancellationToken ct);
}
