using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using SkyServe.Contracts.Notices;
using SkyServe.Core.Catalog;
using SkyServe.Providers;

namespace SkyServe.Testing;

/// <summary>
/// A cloud in memory, for unit tests of the reconciler that run in milliseconds: offerings in the given zones (spot and
/// on-demand of one instance type), machines that start Pending and that the test makes Running, preempts or refuses,
/// every launch and termination recorded. Launch is idempotent by client token, as every provider's is.
/// </summary>
public sealed class FakeCloudProvider(params string[] zones) : ICloudProvider
{
    public const string InstanceType = "fake-8cpu";
    private readonly ConcurrentDictionary<string, CloudMachine> machines = new();
    private readonly ConcurrentQueue<string> launches = new();
    private readonly ConcurrentQueue<LaunchRequest> launchRequests = new();
    private readonly ConcurrentQueue<string> terminations = new();
    private readonly Channel<InterruptionNotice> notices = Channel.CreateUnbounded<InterruptionNotice>();
    private int next;
    private int attempts;

    /// <summary>Zones (cloud/region/zone) whose spot launches are refused for capacity.</summary>
    public ConcurrentDictionary<string, bool> NoSpotCapacity { get; } = new();

    /// <summary>On-demand prices by zone (cloud/region/zone); 1.00 elsewhere.</summary>
    public ConcurrentDictionary<string, decimal> OnDemandPrices { get; } = new();

    /// <summary>Where machines' agents answer (every machine the same endpoint).</summary>
    public string Endpoint { get; set; } = "http://127.0.0.1:9";

    /// <summary>When set, every launch fails with this kind of error (quota, a bad request...).</summary>
    public CloudErrorKind? FailLaunchesWith { get; set; }

    /// <summary>When set, a launch it gives a kind for fails with that kind (e.g. only one node of a multi-node replica).</summary>
    public Func<LaunchRequest, CloudErrorKind?>? FailLaunchWhen { get; set; }

    public int LaunchAttempts => Volatile.Read(ref attempts);

    public IReadOnlyList<string> Launches => launches.ToList();

    /// <summary>Every launch request, as the controller sent it (what its machines' agents would be told).</summary>
    public IReadOnlyList<LaunchRequest> LaunchRequests => launchRequests.ToList();
    public IReadOnlyList<string> Terminations => terminations.ToList();
    public IReadOnlyCollection<CloudMachine> Machines => machines.Values.ToList();

    public IReadOnlyCollection<string> Clouds => zones.Select(z => z.Split('/')[0]).Distinct().ToList();

    public Task<IReadOnlyList<CloudOffering>> ListOfferingsAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<CloudOffering>>(zones.SelectMany(zone =>
        {
            var (cloud, region, name) = (zone.Split('/')[0], zone.Split('/')[1], zone.Split('/')[2]);
            var onDemand = OnDemandPrices.GetValueOrDefault(zone, 1.00m);
            var instance = new InstanceOffering(cloud, region, name, InstanceType, null, 0, 0, 8, 32, onDemand, 0.30m);
            return new[] { new CloudOffering(instance, Spot: false, onDemand, true), new CloudOffering(instance, Spot: true, 0.30m, !NoSpotCapacity.ContainsKey(zone)) };
        }).ToList());

    public Task<CloudMachine> LaunchAsync(LaunchRequest request, CancellationToken ct)
    {
        if (machines.Values.FirstOrDefault(m => m.ClientToken == request.ClientToken) is { } existing)
            return Task.FromResult(existing);
        Interlocked.Increment(ref attempts);
        launchRequests.Enqueue(request);
        if ((FailLaunchesWith ?? FailLaunchWhen?.Invoke(request)) is { } kind)
            throw new CloudProviderException(kind, $"launch refused ({kind})");
        var key = request.Offering;
        if (key.Spot && NoSpotCapacity.ContainsKey($"{key.Cloud}/{key.Region}/{key.Zone}"))
            throw new CloudProviderException(CloudErrorKind.InsufficientCapacity, $"no spot capacity in {key.Zone}");
        var machine = new CloudMachine($"fm-{Interlocked.Increment(ref next)}", request.ClientToken, key, MachineState.Pending,
            new Dictionary<string, string>(request.Tags), DateTimeOffset.UtcNow) { Endpoint = Endpoint };
        machines[machine.Id] = machine;
        launches.Enqueue(machine.Id);
        return Task.FromResult(machine);
    }

    public Task TerminateAsync(string machineId, CancellationToken ct)
    {
        terminations.Enqueue(machineId);
        machines.TryRemove(machineId, out _);
        return Task.CompletedTask;
    }

    public Task<CloudMachine?> GetAsync(string machineId, CancellationToken ct) => Task.FromResult(machines.GetValueOrDefault(machineId));

    public Task<IReadOnlyList<CloudMachine>> ListAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<CloudMachine>>(machines.Values
            .Where(m => tags.All(t => m.Tags.TryGetValue(t.Key, out var v) && v == t.Value)).ToList());

    public async IAsyncEnumerable<InterruptionNotice> WatchInterruptionsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var notice in notices.Reader.ReadAllAsync(ct))
            yield return notice;
    }

    /// <summary>Every Pending machine boots.</summary>
    public void StartAll()
    {
        foreach (var (id, machine) in machines)
            if (machine.State == MachineState.Pending)
                machines[id] = machine with { State = MachineState.Running };
    }

    /// <summary>The cloud takes the machine back without notice.</summary>
    public void Reclaim(string machineId) => machines.TryRemove(machineId, out _);

    /// <summary>The cloud announces it will take the machine back at <paramref name="deadline"/>.</summary>
    public void Notice(string machineId, DateTimeOffset deadline) =>
        notices.Writer.TryWrite(new InterruptionNotice(machineId, InterruptionKind.Preemption, deadline, DateTimeOffset.UtcNow));
}
