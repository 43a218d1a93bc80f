namespace SkyServe.ReplicaAgent.Interruption;

/// <summary>
/// One cloud's way of telling a machine it is about to be taken away. Asked once per poll interval;
/// it throws when the metadata service cannot be reached or answers something unexpected.
/// </summary>
public interface IInterruptionNoticeSource
{
    /// <summary>Short name reported as the notice's source, e.g. "aws".</summary>
    string Name { get; }

    /// <summary>The scheduled interruption, or null while there is none.</summary>
    Task<ScheduledInterruption?> CheckAsync(CancellationToken ct);
}
