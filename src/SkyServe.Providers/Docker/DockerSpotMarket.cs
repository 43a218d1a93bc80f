using System.Collections.Concurrent;
using SkyServe.Contracts.Notices;
using SkyServe.Providers.Local;

namespace SkyServe.Providers.Docker;

/// <summary>
/// The local runtime's simulated spot market over Docker zones: each zone with a capacity (<see cref="ISpotCapacity"/>,
/// a trace or the random process) holds at most that many spot containers at a moment of simulated time
/// (<see cref="SimulatedClock"/>); when it holds more, <see cref="PreemptionPlanner"/> picks the newest surplus ones, which
/// get a notice with a deadline <see cref="DockerSpotOptions.NoticeLead"/> away and are removed when it has passed.
/// Zones without a capacity have no market: their spot containers are never reclaimed. Notices are kept in memory: a
/// restarted controller notices the surplus again (the epoch, and so the trace position, is shared through the host).
/// </summary>
public sealed class DockerSpotMarket(IReadOnlyDictionary<string, ISpotCapacity> capacities, DockerSpotOptions options, SimulatedClock clock)
{
    private readonly ConcurrentDictionary<string, InterruptionNotice> noticed = new();

    public bool HasZones => capacities.Count > 0;

    public IEnumerable<string> Zones => capacities.Keys;

    /// <summary>How many spot containers the zone may hold now; null: no limit (no market there).</summary>
    public int? CapacityAt(string zone, DateTimeOffset now) =>
        capacities.TryGetValue(zone, out var capacity) ? capacity.CapacityAt(clock.SinceStart(now)) : null;

    public bool IsNoticed(string machineId) => noticed.ContainsKey(machineId);

    /// <summary>Room for another spot container in the zone, given the spot containers live there (noticed ones are leaving and do not count).</summary>
    public bool HasRoom(string zone, IEnumerable<string> liveSpotMachines, DateTimeOffset now) =>
        CapacityAt(zone, now) is not { } capacity || capacity == int.MaxValue || liveSpotMachines.Count(m => !IsNoticed(m)) < capacity;

    /// <summary>Notices for the zone's surplus spot containers (those not noticed yet), recorded and returned.</summary>
    public IReadOnlyList<InterruptionNotice> Reclaim(string zone, IReadOnlyList<(string Id, DateTimeOffset LaunchedAt)> liveSpotMachines, DateTimeOffset now)
    {
        if (CapacityAt(zone, now) is not { } capacity)
            return [];
        var unnoticed = liveSpotMachines.Where(m => !IsNoticed(m.Id)).ToList();
        var deadline = now + options.ToReal(options.NoticeLead);
        var notices = new List<InterruptionNotice>();
        foreach (var id in PreemptionPlanner.Plan(unnoticed, capacity))
        {
            var notice = new InterruptionNotice(id, InterruptionKind.Preemption, deadline, now);
            if (noticed.TryAdd(id, notice))
                notices.Add(notice);
        }
        return notices;
    }

    /// <summary>Machines whose notice has run out.</summary>
    public IReadOnlyList<string> Due(DateTimeOffset now) => noticed.Values.Where(n => n.Deadline <= now).Select(n => n.MachineId).ToList();

    public IReadOnlyCollection<InterruptionNotice> Notices => noticed.Values.ToList();

    public void Forget(string machineId) => noticed.TryRemove(machineId, out _);
}
