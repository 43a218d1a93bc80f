using System.Collections.Concurrent;
using SkyServe.Providers;

namespace SkyServe.Controller.Cloud;

/// <summary>
/// Every machine of ours, as the cloud last listed it: one tag-filtered list per provider (and region) every
/// <see cref="Reconcile.ReconcileOptions.MachineListInterval"/>, shared by every service, in the manner of an informer
/// cache — no per-replica call to the cloud in the steady state. Launches and terminations update it at once.
/// A machine missing from a list is gone only when that list began well after its launch: a cloud's list may
/// trail its launches by seconds (EC2's DescribeInstances is eventually consistent).
/// </summary>
public sealed class MachineInventory(ICloudProvider provider, TimeProvider time)
{
    private static readonly IReadOnlyDictionary<string, string> Ours = new Dictionary<string, string> { [MachineTags.ManagedBy] = MachineOwnership.ManagedBy };
    private volatile ConcurrentDictionary<string, CloudMachine> machines = new();
    private DateTimeOffset? listStartedAt;

    /// <summary>Lists the machines again; returns those that appeared, vanished or changed state since the last list.</summary>
    public async Task<IReadOnlyList<CloudMachine>> RefreshAsync(CancellationToken ct)
    {
        var started = time.GetUtcNow();
        var listed = await provider.ListAsync(Ours, ct);
        var next = new ConcurrentDictionary<string, CloudMachine>(listed.Select(m => KeyValuePair.Create(m.Id, m)));
        var previous = machines;
        var changed = listed.Where(m => !previous.TryGetValue(m.Id, out var before) || before.State != m.State || before.Endpoint != m.Endpoint).ToList();
        changed.AddRange(previous.Values.Where(m => !next.ContainsKey(m.Id)));
        // Launches that finished while the list was under way are kept: the list may have been taken before them.
        foreach (var (id, machine) in previous)
        {
            if (!next.ContainsKey(id) && machine.LaunchedAt >= started)
                next[id] = machine;
        }
        machines = next;
        listStartedAt = started;
        return changed;
    }

    /// <summary>What is known of the machine of a replica whose row was created at <paramref name="recordedAt"/>.</summary>
    public MachineLookup Find(string machineId, DateTimeOffset recordedAt, TimeSpan grace)
    {
        if (machines.TryGetValue(machineId, out var machine))
            return new MachineLookup(machine, Gone: false);
        return new MachineLookup(null, Gone: listStartedAt is { } since && since >= recordedAt + grace);
    }

    public void Launched(CloudMachine machine) => machines[machine.Id] = machine with { LaunchedAt = Max(machine.LaunchedAt, time.GetUtcNow()) };

    public void Terminated(string machineId) => machines.TryRemove(machineId, out _);

    /// <summary>Forgets everything (leadership lost): a new leader lists afresh before it judges any machine gone.</summary>
    public void Clear()
    {
        machines = new ConcurrentDictionary<string, CloudMachine>();
        listStartedAt = null;
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}

/// <summary>A machine as last listed, or null; <paramref name="Gone"/> when a list that must have shown it did not.</summary>
public readonly record struct MachineLookup(CloudMachine? Machine, bool Gone);
