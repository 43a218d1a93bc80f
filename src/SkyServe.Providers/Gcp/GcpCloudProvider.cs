using SkyServe.Contracts.Notices;
using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkyServe.Core.Catalog;

namespace SkyServe.Providers.Gcp;

/// <summary>
/// Compute Engine through its REST API v1 (hand-written calls in <see cref="GceClient"/>; OAuth tokens from Google.Apis.Auth).
/// Spot replicas are Spot VMs (<c>provisioningModel: SPOT</c>, deleted when preempted). A client token fixes the instance
/// name and the insert's requestId, so a retried launch finds its VM instead of making a second one. Machine ids are
/// <c>zone/name</c>. Preemptions are read from the project's <c>compute.instances.preempted</c> operations, the record
/// GCE keeps of every preemption; the agent on the VM sees the same event earlier, through the metadata server.
/// </summary>
public sealed class GcpCloudProvider : ICloudProvider, IDisposable
{
    public const string CloudName = "gcp";
    private const string PreemptedFilter = "operationType = \"compute.instances.preempted\"";

    private readonly GcpProviderOptions options;
    private readonly IReadOnlyList<InstanceOffering> catalog;
    private readonly GceClient gce;
    private readonly HttpClient http;
    private readonly TimeProvider time;
    private readonly ILogger log;

    private GcpCloudProvider(GcpProviderOptions options, IReadOnlyList<InstanceOffering> catalog, ITokenAccess credential,
        HttpClient http, TimeProvider time, ILogger log)
    {
        this.options = options;
        this.catalog = catalog;
        this.http = http;
        this.time = time;
        this.log = log;
        Unavailable = new UnavailableOfferings(time, options.UnavailableOfferingTtl);
        gce = new GceClient(http, options, ct => AccessTokenAsync(credential, ct), time, log);
    }

    /// <param name="catalog">Prices and GPU layout of the instance types (config/catalog); its GCP offerings, in <see cref="GcpProviderOptions.Zones"/>, are offered.</param>
    /// <param name="credential">null: the key file of <see cref="GcpProviderOptions.CredentialFile"/>, else Application Default Credentials.</param>
    /// <param name="handler">The HTTP handler for Compute API calls (tests: a loopback emulator needs none).</param>
    public static async Task<GcpCloudProvider> CreateAsync(GcpProviderOptions options, CloudCatalog catalog, GoogleCredential? credential = null,
        HttpMessageHandler? handler = null, TimeProvider? time = null, ILogger? log = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(catalog);
        if (!options.ComputeEndpoint.AbsoluteUri.EndsWith('/'))
            throw new ArgumentException($"the Compute endpoint must end with '/': {options.ComputeEndpoint}", nameof(options));
        credential ??= options.CredentialFile is { } file
            ? (await CredentialFactory.FromFileAsync<ServiceAccountCredential>(file, ct)).ToGoogleCredential()
            : await GoogleCredential.GetApplicationDefaultAsync(ct);
        var scoped = credential.CreateScoped(GceInstanceRequest.ComputeScope);
        var offerings = catalog.InCloud(CloudName)
            .Where(o => options.Zones.Count == 0 || options.Zones.Contains(o.Zone, StringComparer.OrdinalIgnoreCase))
            .ToList();
        var http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        http.Timeout = TimeSpan.FromMinutes(3); // operations.wait answers within two minutes
        return new GcpCloudProvider(options, offerings, scoped, http, time ?? TimeProvider.System, log ?? NullLogger.Instance);
    }

    public IReadOnlyCollection<string> Clouds { get; } = [CloudName];

    public UnavailableOfferings Unavailable { get; }

    public Task<IReadOnlyList<CloudOffering>> ListOfferingsAsync(CancellationToken ct)
    {
        return Task.FromResult(Unavailable.Offer(catalog));
    }

    public async Task<CloudMachine> LaunchAsync(LaunchRequest request, CancellationToken ct)
    {
        var key = request.Offering;
        if (!string.Equals(key.Cloud, CloudName, StringComparison.OrdinalIgnoreCase))
            throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"the GCP provider cannot launch in {key.Cloud}");
        var name = GceNames.Instance(request.ClientToken);
        var zone = key.Zone;
        // The requestId covers the whole request: a retry is ignored by GCE, a different placement is a new request.
        var requestId = GceNames.RequestId($"insert|{request.ClientToken}|{zone}|{key.InstanceType}|{key.Spot}");
        var instance = catalog.FirstOrDefault(o => o.Zone == zone && o.InstanceType == key.InstanceType);
        var body = GceInstanceRequest.Build(options, request, name, instance);
        try
        {
            var operation = await gce.InsertInstanceAsync(zone, body, requestId, ct);
            operation = await gce.WaitAsync(zone, operation, ct);
            if (operation.Error?.Errors is { Count: > 0 } && operation.Error.Errors[0].Code != "RESOURCE_ALREADY_EXISTS")
                throw Failed(key, GceErrors.FromOperation(operation));
        }
        catch (GceApiException e) when (e.Status == HttpStatusCode.Conflict && e.Reason == "alreadyExists")
        {
            // This token's VM exists already (an earlier attempt whose answer was lost): it is the result.
        }
        catch (GceApiException e)
        {
            throw Failed(key, GceErrors.FromApi(e));
        }
        var created = await CallAsync(() => gce.GetInstanceAsync(zone, name, ct));
        if (created is null)
        {
            // The insert succeeded earlier (same requestId) and the VM is gone since, e.g. preempted and deleted.
            log.GceLaunchedInstanceGone(request.ClientToken, zone, name);
            return new CloudMachine(new GceMachineId(zone, name).ToString(), request.ClientToken, key, MachineState.Terminated,
                request.Tags, time.GetUtcNow());
        }
        log.GceInstanceLaunched(zone, name, key);
        return ToMachine(created);
    }

    public async Task TerminateAsync(string machineId, CancellationToken ct)
    {
        if (!GceMachineId.TryParse(machineId, out var id))
            return; // not an id this provider hands out: no such machine
        var operation = await CallAsync(() => gce.DeleteInstanceAsync(id.Zone, id.Name, GceNames.RequestId($"delete|{id}|{Guid.NewGuid()}"), ct));
        if (operation is null)
            return;
        operation = await CallAsync(() => gce.WaitAsync(id.Zone, operation, ct));
        if (operation.Error?.Errors is { Count: > 0 } errors && errors[0].Code is not ("RESOURCE_NOT_FOUND" or "NOT_FOUND"))
            throw GceErrors.FromOperation(operation);
    }

    /// <summary>The machine, or null when it is gone or stopped for good (TERMINATED: preempted, or stopped by someone).</summary>
    public async Task<CloudMachine?> GetAsync(string machineId, CancellationToken ct)
    {
        if (!GceMachineId.TryParse(machineId, out var id))
            return null;
        var instance = await CallAsync(() => gce.GetInstanceAsync(id.Zone, id.Name, ct));
        return instance is null || ToMachine(instance) is not { State: not MachineState.Terminated } machine ? null : machine;
    }

    public async Task<IReadOnlyList<CloudMachine>> ListAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        var machines = new List<CloudMachine>();
        try
        {
            await foreach (var instance in gce.AggregatedInstancesAsync(GceLabels.Filter(tags), ct))
            {
                var machine = ToMachine(instance);
                // The label filter did the work; the exact tags settle what an encoded label could not.
                if (machine.State != MachineState.Terminated && tags.All(t => machine.Tags.TryGetValue(t.Key, out var v) && v == t.Value))
                    machines.Add(machine);
            }
        }
        catch (GceApiException e)
        {
            throw GceErrors.FromApi(e);
        }
        return machines;
    }

    /// <summary>
    /// Preemptions, from the project's <c>compute.instances.preempted</c> operations (aggregated over zones, polled every
    /// <see cref="GcpProviderOptions.NoticePollInterval"/>). GCE stops a preempted VM 30 s after the preemption starts, so the
    /// deadline is the operation's insertTime plus <see cref="GcpProviderOptions.PreemptionNotice"/>. The agent on the VM learns
    /// of it sooner (metadata <c>instance/preempted</c>); this stream is the control plane's own view, a poll interval later.
    /// </summary>
    public async IAsyncEnumerable<InterruptionNotice> WatchInterruptionsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var since = time.GetUtcNow() - options.PreemptionNotice; // preemptions whose stop is still ahead count
        var seen = new HashSet<string>();
        while (!ct.IsCancellationRequested)
        {
            var found = new List<InterruptionNotice>();
            try
            {
                await foreach (var operation in gce.AggregatedOperationsAsync(PreemptedFilter, ct))
                {
                    if (operation.Name is null || !seen.Add($"{operation.Zone}/{operation.Name}"))
                        continue;
                    if (GceMachineId.FromLink(operation.TargetLink) is not { } id
                        || !DateTimeOffset.TryParse(operation.InsertTime, CultureInfo.InvariantCulture, DateTimeStyles.None, out var inserted))
                        continue;
                    var deadline = inserted + options.PreemptionNotice;
                    if (deadline >= since)
                        found.Add(new InterruptionNotice(id.ToString(), InterruptionKind.Preemption, deadline, time.GetUtcNow()));
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                yield break;
            }
            catch (Exception e)
            {
                log.GcePreemptionReadFailed(e, options.NoticePollInterval);
            }
            foreach (var notice in found)
                yield return notice;
            try
            {
                await Task.Delay(options.NoticePollInterval, time, ct);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    private CloudProviderException Failed(OfferingKey key, CloudProviderException error)
    {
        if (error.Kind == CloudErrorKind.InsufficientCapacity)
        {
            Unavailable.MarkUnavailable(key);
            log.GceNoCapacity(key, error.Message, Unavailable.Ttl);
        }
        return error;
    }

    private static async Task<T> CallAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (GceApiException e)
        {
            throw GceErrors.FromApi(e);
        }
    }

    private static async Task<string> AccessTokenAsync(ITokenAccess credential, CancellationToken ct)
    {
        try
        {
            return await credential.GetAccessTokenForRequestAsync(null, ct);
        }
        catch (TokenResponseException e)
        {
            throw GceErrors.FromToken(e);
        }
    }

    private CloudMachine ToMachine(GceInstance instance)
    {
        var zone = LastSegment(instance.Zone);
        var id = new GceMachineId(zone, instance.Name ?? "");
        var items = instance.Metadata?.Items ?? [];
        var tagsJson = items.FirstOrDefault(i => i.Key == GceInstanceRequest.TagsKey)?.Value;
        var tags = tagsJson is null
            ? new Dictionary<string, string>(instance.Labels ?? [])
            : JsonSerializer.Deserialize<Dictionary<string, string>>(tagsJson) ?? [];
        var token = items.FirstOrDefault(i => i.Key == GceInstanceRequest.ClientTokenKey)?.Value ?? "";
        var spot = instance.Scheduling?.ProvisioningModel == "SPOT" || instance.Scheduling?.Preemptible == true;
        var region = zone.LastIndexOf('-') is var dash and > 0 ? zone[..dash] : zone;
        var key = new OfferingKey(CloudName, region, zone, LastSegment(instance.MachineType), spot);
        var launched = DateTimeOffset.TryParse(instance.CreationTimestamp, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at : time.GetUtcNow();
        var ip = instance.NetworkInterfaces?.FirstOrDefault()?.NetworkIP;
        return new CloudMachine(id.ToString(), token, key, State(instance.Status), tags, launched)
        {
            Endpoint = string.IsNullOrEmpty(ip) ? null : $"http://{ip}:{options.Agent.Port}",
        };
    }

    /// <summary>GCE instance statuses (https://cloud.google.com/compute/docs/instances/instance-life-cycle).</summary>
    private static MachineState State(string? status) => status switch
    {
        "RUNNING" => MachineState.Running,
        "STOPPING" or "SUSPENDING" => MachineState.ShuttingDown,
        "TERMINATED" or "STOPPED" or "SUSPENDED" => MachineState.Terminated,
        _ => MachineState.Pending, // PROVISIONING, STAGING, REPAIRING
    };

    private static string LastSegment(string? url) => url is null ? "" : url[(url.LastIndexOf('/') + 1)..];

    public void Dispose() => http.Dispose();
}

internal static partial class GcpCloudProviderLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "launch {Token}: its instance {Zone}/{Name} no longer exists")]
    public static partial void GceLaunchedInstanceGone(this ILogger logger, string token, string zone, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "launched {Zone}/{Name} ({Offering})")]
    public static partial void GceInstanceLaunched(this ILogger logger, string zone, string name, OfferingKey offering);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reading GCE preemption operations failed; trying again in {Interval}")]
    public static partial void GcePreemptionReadFailed(this ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Information, Message = "no capacity for {Offering}: {Message}; shunned for {Ttl}")]
    public static partial void GceNoCapacity(this ILogger logger, OfferingKey offering, string message, TimeSpan ttl);
}
