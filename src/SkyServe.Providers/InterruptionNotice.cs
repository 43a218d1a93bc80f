using SkyServe.Contracts.Notices;
namespace SkyServe.Providers;

/// <summary>The cloud will take <see cref="MachineId"/> away at <see cref="Deadline"/> (AWS: 2 minutes' notice).</summary>
public sealed record InterruptionNotice(string MachineId, InterruptionKind Kind, DateTimeOffset Deadline, DateTimeOffset ReceivedAt);
