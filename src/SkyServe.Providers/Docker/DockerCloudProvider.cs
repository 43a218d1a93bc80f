using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkyServe.Core.Catalog;
using SkyServe.Core.Spec;
using SkyServe.Providers.Local;

namespace SkyServe.Providers.Docker;

/// <summary>
/// Machines as ReplicaAgent containers on Docker hosts (unix socket, or TCP with TLS), each host a zone of the cloud
/// <c>docker</c>. A container runs the agent image with host networking on a port of its own, GPUs handed over by a
/// device request to the NVIDIA driver. Everything about a machine is on its container (<see cref="DockerLabels"/>), so
/// a restarted controller, or another one of the deployment, finds the machines by listing labels; a launch is
/// idempotent by its client token (label, and the container's name). Spot is on-demand by default; a host with a
/// <see cref="DockerHostOptions.Spot"/> capacity runs the local runtime's simulated market (<see cref="DockerSpotMarket"/>):
/// a container over capacity gets a notice (on the notice stream, and from the metadata endpoint its agent polls where
/// it can reach this process) and is removed at the deadline.
/// </summary>
public sealed class DockerCloudProvider : ICloudProvider, IAsyncDisposable
{
    /// <summary>The volume that keeps the market's epoch on the first host, so that every controller plays the same trace time.</summary>
    public const string MarketEpochLabel = "skyserve.market-epoch";

    private readonly DockerProviderOptions options;
    private readonly Dictionary<string, DockerHostClient> hosts;
    private readonly IReadOnlyList<(InstanceOffering Offering, DockerHostOptions Host, DockerInstanceType Type)> offerings;
    private readonly Dictionary<string, SemaphoreSlim> launchGates;
    private readonly DockerPortRange ports;
    private readonly TimeProvider time;
    private readonly ILogger log;
    private readonly Random random;
    private readonly NoticeBroadcaster notices = new();
    private readonly CancellationTokenSource stopping = new();
    private DockerSpotMarket? market;
    private MetadataServer? metadata;
    private Task? marketLoop;

    private DockerCloudProvider(DockerProviderOptions options, TimeProvider time, ILogger log, Random random)
    {
        this.options = options;
        this.time = time;
        this.log = log;
        this.random = random;
        ports = DockerPortRange.Parse(options.AgentPorts);
        offerings = DockerOfferings.For(options);
        hosts = [];
        try
        {
            foreach (var host in options.Hosts)
                hosts[host.Zone] = new DockerHostClient(host, options.RequestTimeout);
        }
        catch
        {
            foreach (var client in hosts.Values)
                client.Dispose();
            throw;
        }
        launchGates = options.Hosts.ToDictionary(h => h.Zone, _ => new SemaphoreSlim(1, 1));
        Unavailable = new UnavailableOfferings(time, options.UnavailableOfferingTtl);
    }

    public IReadOnlyCollection<string> Clouds { get; } = [DockerCloud.Name];

    public UnavailableOfferings Unavailable { get; }

    /// <summary>
    /// Starts the provider. <paramref name="spotCapacity"/> gives zones (by name) a simulated spot market
    /// (<see cref="DockerSpotCapacities.FromOptions"/> builds it from the settings); a zone missing from it has none.
    /// </summary>
    /// <exception cref="ArgumentException">The options are not usable (every problem, in one message).</exception>
    public static async Task<DockerCloudProvider> StartAsync(DockerProviderOptions options, IReadOnlyDictionary<string, ISpotCapacity>? spotCapacity = null,
        TimeProvider? time = null, ILogger? log = null, Random? random = null, CancellationToken ct = default)
    {
        var problems = DockerProviderOptionsValidator.Problems(options);
        if (problems.Count > 0)
            throw new ArgumentException(string.Join("; ", problems));
        spotCapacity ??= new Dictionary<string, ISpotCapacity>();
        if (spotCapacity.Keys.FirstOrDefault(zone => options.Hosts.All(h => h.Zone != zone)) is { } unknown)
            throw new ArgumentException($"spot capacity for zone '{unknown}', which no host has");
        var provider = new DockerCloudProvider(options, time ?? TimeProvider.System, log ?? NullLogger.Instance, random ?? Random.Shared);
        try
        {
            if (spotCapacity.Count > 0)
                await provider.OpenMarketAsync(spotCapacity, ct);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
        return provider;
    }

    public Task<IReadOnlyList<CloudOffering>> ListOfferingsAsync(CancellationToken ct) =>
        Task.FromResult(Unavailable.Offer(offerings.Select(o => o.Offering)));

    public async Task<CloudMachine> LaunchAsync(LaunchRequest request, CancellationToken ct)
    {
        var key = request.Offering;
        if (await FindByTokenAsync(request.ClientToken, ct) is { } existing)
            return existing;
        var (offering, host, type) = offerings.FirstOrDefault(o => o.Offering.Region == key.Region && o.Offering.Zone == key.Zone
            && o.Offering.InstanceType == key.InstanceType && key.Cloud == DockerCloud.Name);
        if (offering is null)
            throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"no docker host offers {key.InstanceType} in {key.Cloud}/{key.Region}/{key.Zone}");
        if (key.Spot && offering.SpotPerHour is null)
            throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"{key.InstanceType} has no spot price in {key.Zone}");

        if (request.Machine.DiskSizeGb != SpecDefaults.DiskSizeGb || request.Machine.DiskTier is not null)
            log.DockerDiskSettingsIgnored(request.ClientToken, request.Machine.DiskSizeGb, request.Machine.DiskTier ?? "(none)");

        var client = hosts[host.Zone];
        var gate = launchGates[host.Zone];
        await gate.WaitAsync(ct);
        try
        {
            // Every container of the host that holds a port, whichever deployment it belongs to: they share its network.
            var onHost = (await client.ListAsync([DockerLabels.Port], ct)).Where(c => !c.HasEnded).ToList();
            var ours = onHost.Where(c => IsOurs(c, host)).ToList();
            if (ours.FirstOrDefault(c => c.Labels.GetValueOrDefault(DockerLabels.ClientToken) == request.ClientToken) is { } raced)
                return ToMachine(raced, host);
            if (ours.Count >= host.MaxContainers)
                throw new CloudProviderException(CloudErrorKind.QuotaExceeded,
                    $"docker host {host.Zone} runs {ours.Count} containers of this deployment, its MaxContainers") { CloudCode = "MaxContainersExceeded" };
            var now = time.GetUtcNow();
            if (key.Spot && market is { } spot
                && !spot.HasRoom(host.Zone, ours.Where(c => DockerLabels.Offering(c.Labels).Spot).Select(c => MachineId(c, host)), now))
            {
                Unavailable.MarkUnavailable(key);
                throw new CloudProviderException(CloudErrorKind.InsufficientCapacity,
                    $"no spot capacity for {key.InstanceType} on docker host {host.Zone} now") { CloudCode = "InsufficientCapacity" };
            }
            var taken = onHost.Select(c => DockerLabels.PortOf(c.Labels)).OfType<int>().ToHashSet();
            var port = DockerPorts.Choose(ports, taken, p => DockerPorts.IsFreeHere(host.Address, p), random)
                ?? throw new CloudProviderException(CloudErrorKind.QuotaExceeded, $"docker host {host.Zone} has no free agent port in {ports}") { CloudCode = "NoFreePort" };

            var name = DockerCloud.ContainerName(options.Deployment, request.ClientToken);
            var spec = DockerContainerSpecs.For(request, options, host, offering, type, name, port, MetadataUrlFor(host, name), now);
            var id = await client.CreateAsync(spec, ct);
            if (id is null)
                return await client.InspectAsync(name, ct) is { } first && IsOurs(first, host)
                    ? ToMachine(first, host)
                    : throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"docker host {host.Zone} has a container named {name} that is not this deployment's");
            try
            {
                await client.StartAsync(id, ct);
            }
            catch
            {
                await client.RemoveAsync(id, force: true, CancellationToken.None); // a failed start leaves nothing behind
                throw;
            }
            var started = await client.InspectAsync(id, ct) ?? throw new CloudProviderException(CloudErrorKind.NotFound, $"container {name} vanished on docker host {host.Zone} as it started");
            var machine = ToMachine(started, host);
            log.DockerContainerLaunched(machine.Id, key.ToString(), port);
            return machine;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task TerminateAsync(string machineId, CancellationToken ct)
    {
        if (Resolve(machineId) is not var (client, name))
            return; // not a machine of these hosts: nothing to stop
        if (market is { } spot)
        {
            spot.Forget(machineId);
            ServeNotices(spot);
        }
        if (await client.InspectAsync(name, ct) is not { } container || !IsOurs(container, client.Host))
            return;
        if (!container.HasEnded)
            await client.StopAsync(container.Id, options.StopGrace, ct); // SIGTERM: the agent drains, then exits
        await client.RemoveAsync(container.Id, force: true, ct);
        log.DockerContainerRemoved(machineId, "terminated on request");
    }

    public async Task<CloudMachine?> GetAsync(string machineId, CancellationToken ct)
    {
        if (Resolve(machineId) is not var (client, name))
            return null;
        return await client.InspectAsync(name, ct) is { HasEnded: false } container && IsOurs(container, client.Host)
            ? ToMachine(container, client.Host)
            : null;
    }

    /// <summary>
    /// One label-filtered list per host. A container that has ended (its agent exited for good) is a machine that is
    /// gone: it is removed as it is seen, as a cloud deletes a stopped spot VM, and not listed.
    /// </summary>
    public async Task<IReadOnlyList<CloudMachine>> ListAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        var lists = await Task.WhenAll(hosts.Values.Select(async client =>
        {
            var containers = await client.ListAsync(OurFilters(client.Host).Concat(DockerLabels.TagFilters(tags)), ct);
            foreach (var ended in containers.Where(c => c.HasEnded))
                await RemoveEndedAsync(client, ended);
            return containers.Where(c => !c.HasEnded).Select(c => ToMachine(c, client.Host));
        }));
        return lists.SelectMany(l => l).ToList();
    }

    public IAsyncEnumerable<InterruptionNotice> WatchInterruptionsAsync(CancellationToken ct) => notices.WatchAsync(ct);

    /// <summary>
    /// One look at the spot market now: notices for the spot containers above each market zone's capacity, and removal of
    /// those whose notice has run out. Runs every <see cref="DockerSpotOptions.MarketInterval"/>; tests call it directly.
    /// </summary>
    public async Task StepMarketAsync(CancellationToken ct = default)
    {
        if (market is not { } spot)
            return;
        var now = time.GetUtcNow();
        foreach (var zone in spot.Zones)
        {
            var client = hosts[zone];
            var live = (await client.ListAsync([.. OurFilters(client.Host), $"{DockerLabels.Spot}=true"], ct)).Where(c => !c.HasEnded)
                .Select(c => (Id: MachineId(c, client.Host), LaunchedAt: DockerLabels.LaunchedAtOf(c.Labels, c.Created))).ToList();
            foreach (var notice in spot.Reclaim(zone, live, now))
            {
                notices.Publish(notice);
                log.DockerSpotReclaimed(zone, spot.CapacityAt(zone, now) ?? 0, notice.MachineId, notice.Deadline);
            }
        }
        foreach (var machineId in spot.Due(now))
        {
            if (Resolve(machineId) is var (client, name) && await client.InspectAsync(name, ct) is { } container && IsOurs(container, client.Host))
            {
                await client.RemoveAsync(container.Id, force: true, ct); // what a reclaim does at the deadline: the machine is simply gone
                log.DockerContainerRemoved(machineId, "preempted: spot capacity reclaimed");
            }
            spot.Forget(machineId);
        }
        ServeNotices(spot);
    }

    /// <summary>The metadata endpoint serves exactly the notices in force, each under its container's name (the agents' URL).</summary>
    private void ServeNotices(DockerSpotMarket spot) =>
        metadata?.ReplaceNotices(spot.Notices.Select(n =>
            KeyValuePair.Create(DockerMachineId.TryParse(n.MachineId, out var id) ? id.Name : n.MachineId, n.Deadline)));

    private async Task OpenMarketAsync(IReadOnlyDictionary<string, ISpotCapacity> capacities, CancellationToken ct)
    {
        var epoch = await MarketEpochAsync(ct);
        market = new DockerSpotMarket(capacities, options.Spot, new SimulatedClock(epoch, options.Spot.TimeCompression));
        if (options.Hosts.Any(h => capacities.ContainsKey(h.Zone) && IsLoopback(h.Address)))
        {
            metadata = await MetadataServer.StartAsync(options.Spot.MetadataPort);
            log.DockerMetadataServing(metadata.Port);
        }
        if (options.Spot.MarketInterval > TimeSpan.Zero)
            marketLoop = RunMarketAsync();
    }

    /// <summary>The market's start, kept as a label of a volume on the first host; now, when that host cannot say.</summary>
    private async Task<DateTimeOffset> MarketEpochAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var first = hosts[options.Hosts[0].Zone];
        try
        {
            var labels = await first.VolumeLabelsAsync($"{options.Deployment}-spot-market",
                new Dictionary<string, string> { [DockerLabels.Deployment] = options.Deployment, [MarketEpochLabel] = now.ToString("O", CultureInfo.InvariantCulture) }, ct);
            if (DateTimeOffset.TryParse(labels.GetValueOrDefault(MarketEpochLabel), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var epoch))
                return epoch;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            log.DockerMarketEpochUnknown(e, first.Host.Zone);
        }
        return now;
    }

    private async Task RunMarketAsync()
    {
        using var timer = new PeriodicTimer(options.Spot.MarketInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                try
                {
                    await StepMarketAsync(stopping.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log.DockerMarketStepFailed(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<CloudMachine?> FindByTokenAsync(string clientToken, CancellationToken ct)
    {
        var found = await Task.WhenAll(hosts.Values.Select(async client =>
            (client, containers: await client.ListAsync([.. OurFilters(client.Host), $"{DockerLabels.ClientToken}={clientToken}"], ct))));
        var (owner, container) = found.SelectMany(f => f.containers.Select(c => (f.client, c)))
            .OrderBy(f => f.c.HasEnded).FirstOrDefault();
        // An ended one is reported as such (Terminated), never replaced: one token, one machine.
        return container is null ? null : ToMachine(container, owner.Host);
    }

    private async Task RemoveEndedAsync(DockerHostClient client, DockerContainer ended)
    {
        try
        {
            await client.RemoveAsync(ended.Id, force: true, CancellationToken.None);
            log.DockerContainerRemoved(MachineId(ended, client.Host), $"the agent ended ({ended.Status})");
        }
        catch (Exception e) when (e is CloudProviderException or HttpRequestException or IOException)
        {
            log.DockerRemoveFailed(e, MachineId(ended, client.Host));
        }
    }

    private string[] OurFilters(DockerHostOptions host) =>
        [$"{DockerLabels.Deployment}={options.Deployment}", $"{DockerLabels.Zone}={host.Zone}"];

    private bool IsOurs(DockerContainer container, DockerHostOptions host) =>
        container.Labels.GetValueOrDefault(DockerLabels.Deployment) == options.Deployment
        && container.Labels.GetValueOrDefault(DockerLabels.Zone) == host.Zone;

    private (DockerHostClient Client, string Name)? Resolve(string machineId) =>
        DockerMachineId.TryParse(machineId, out var id) && hosts.TryGetValue(id.Zone, out var client) ? (client, id.Name) : null;

    private static string MachineId(DockerContainer container, DockerHostOptions host) => new DockerMachineId(host.Zone, container.Name).ToString();

    private string? MetadataUrlFor(DockerHostOptions host, string containerName) =>
        metadata is { } server && market?.CapacityAt(host.Zone, time.GetUtcNow()) is not null && IsLoopback(host.Address)
            ? server.UrlFor(containerName)
            : null;

    private CloudMachine ToMachine(DockerContainer container, DockerHostOptions host)
    {
        var labels = container.Labels;
        var port = DockerLabels.PortOf(labels);
        var address = IPAddress.TryParse(host.Address, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]" : host.Address;
        return new CloudMachine(MachineId(container, host), labels.GetValueOrDefault(DockerLabels.ClientToken, ""), DockerLabels.Offering(labels),
            container.MachineState,
            DockerLabels.Tags(labels), DockerLabels.LaunchedAtOf(labels, container.Created))
        {
            Endpoint = port is { } p ? $"http://{address}:{p}" : null,
        };
    }

    private static bool IsLoopback(string address) => IPAddress.TryParse(address, out var ip) && IPAddress.IsLoopback(ip);

    public async ValueTask DisposeAsync()
    {
        if (stopping.IsCancellationRequested)
            return;
        await stopping.CancelAsync();
        if (marketLoop is not null)
            await marketLoop;
        if (metadata is not null)
            await metadata.DisposeAsync();
        foreach (var client in hosts.Values)
            client.Dispose();
        stopping.Dispose();
    }
}
