using SkyServe.Core.Spec;

namespace SkyServe.Providers;

/// <summary>
/// A request for one machine. <see cref="ClientToken"/> makes it idempotent: the same token never
/// yields two machines. <see cref="Tags"/> mark the owner (service, version, replica) so that machines
/// can be found again after a controller restart and collected when nobody wants them.
/// </summary>
public sealed record LaunchRequest(string ClientToken, OfferingKey Offering, IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>How the replica agent on the machine should serve.</summary>
    public AgentSettings Agent { get; init; } = new();

    /// <summary>The spec's disk, image and labels for the machine, which each provider applies in its cloud's terms.</summary>
    public MachineSettings Machine { get; init; } = MachineSettings.Default;
}
