using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Identity;
using Azure.ResourceManager;
using Azure.ResourceManager.Compute;
using Azure.ResourceManager.Compute.Models;
using Azure.ResourceManager.Resources;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkyServe.Core.Catalog;

namespace SkyServe.Providers.Azure;

/// <summary>
/// Azure Virtual Machines through Azure.ResourceManager.Compute 1.2.0 (ARM, api-version of the SDK) with a TokenCredential
/// (DefaultAzureCredential unless given). Spot replicas are Spot VMs with evictionPolicy Delete and maxPrice -1. A client token
/// fixes the VM name and is kept in a tag, so a retried launch finds its VM. Machine ids are VM resource ids.
/// Azure announces an eviction only inside the VM (Scheduled Events, at least 30 s ahead), where the ReplicaAgent watches for
/// it and reports it; ARM shows nothing until the VM is being deleted, so <see cref="WatchInterruptionsAsync"/> yields nothing.
/// </summary>
public sealed class AzureCloudProvider : ICloudProvider
{
    public const string CloudName = "azure";
    private static readonly ResourceType NetworkInterfaceType = new("Microsoft.Network/networkInterfaces");

    private readonly AzureProviderOptions options;
    private readonly IReadOnlyList<InstanceOffering> catalog;
    private readonly ArmClient arm;
    private readonly VirtualMachineCollection vms;
    private readonly TimeProvider time;
    private readonly ILogger log;

    private AzureCloudProvider(AzureProviderOptions options, IReadOnlyList<InstanceOffering> catalog, ArmClient arm, TimeProvider time, ILogger log)
    {
        this.options = options;
        this.catalog = catalog;
        this.arm = arm;
        this.time = time;
        this.log = log;
        var group = arm.GetResourceGroupResource(ResourceGroupResource.CreateResourceIdentifier(options.SubscriptionId, options.ResourceGroup));
        vms = group.GetVirtualMachines();
        Unavailable = new UnavailableOfferings(time, options.UnavailableOfferingTtl);
    }

    /// <param name="catalog">Prices and sizes (config/catalog); its Azure offerings in the regions with a subnet are offered.</param>
    /// <param name="credential">null: DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI...).</param>
    /// <param name="clientOptions">ARM endpoint, transport and retry settings; null: public Azure with the SDK's defaults.</param>
    public static AzureCloudProvider Create(AzureProviderOptions options, CloudCatalog catalog, TokenCredential? credential = null,
        ArmClientOptions? clientOptions = null, TimeProvider? time = null, ILogger? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(catalog);
        clientOptions ??= new ArmClientOptions();
        clientOptions.SetApiVersion(NetworkInterfaceType, options.NetworkApiVersion);
        var arm = new ArmClient(credential ?? new DefaultAzureCredential(), options.SubscriptionId, clientOptions);
        var offerings = catalog.InCloud(CloudName)
            .Where(o => options.Subnets.ContainsKey(o.Region))
            .ToList();
        return new AzureCloudProvider(options, offerings, arm, time ?? TimeProvider.System, log ?? NullLogger.Instance);
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
            throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"the Azure provider cannot launch in {key.Cloud}");
        AzureVmRequest.ValidateTags(AzureVmRequest.Tags(request));
        var name = AzureNames.Vm(request.ClientToken);
        var id = VirtualMachineResource.CreateResourceIdentifier(options.SubscriptionId, options.ResourceGroup, name);

        // A VM of this token exists already (an earlier attempt whose answer was lost): it is the result.
        if (await FindAsync(id, ct) is { } existing)
            return await ToMachineAsync(existing, ct);

        var data = AzureVmRequest.Build(options, request, name, id.ToString());
        ArmOperation<VirtualMachineResource>? operation = null;
        try
        {
            operation = await vms.CreateOrUpdateAsync(WaitUntil.Started, name, data, ct);
            var deadline = time.GetUtcNow() + options.LaunchWait;
            while (!operation.HasCompleted && time.GetUtcNow() < deadline)
            {
                await Task.Delay(options.OperationPollInterval, time, ct);
                await operation.UpdateStatusAsync(ct);
            }
            if (!operation.HasCompleted)
            {
                // Still allocating or booting: the VM exists (Creating); GetAsync follows it from here, and deletes it if it fails.
                log.AzureLaunchStillProvisioning(name, key, options.LaunchWait);
                return new CloudMachine(id.ToString(), request.ClientToken, key, MachineState.Pending, request.Tags, time.GetUtcNow());
            }
            log.AzureVmLaunched(name, key);
            return await ToMachineAsync(operation.Value.Data, ct);
        }
        catch (RequestFailedException e) when (!IsTransient(e))
        {
            var error = AzureErrors.From(e);
            if (error.Kind == CloudErrorKind.InsufficientCapacity)
            {
                Unavailable.MarkUnavailable(key);
                log.AzureNoCapacity(key, error.CloudCode, Unavailable.Ttl);
            }
            if (operation is not null)
                await DeleteQuietlyAsync(id, "its creation failed", ct); // a VM whose allocation failed stays behind as Failed
            throw error;
        }
        catch (AuthenticationFailedException e)
        {
            throw AzureErrors.From(e);
        }
    }

    public async Task TerminateAsync(string machineId, CancellationToken ct)
    {
        if (ParseId(machineId) is not { } id)
            return; // not an id this provider hands out: no such machine
        try
        {
            var operation = await arm.GetVirtualMachineResource(id).DeleteAsync(WaitUntil.Started, forceDeletion: null, ct);
            await operation.WaitForCompletionResponseAsync(options.OperationPollInterval, ct);
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            // Already gone.
        }
        catch (RequestFailedException e) when (!IsTransient(e))
        {
            throw AzureErrors.From(e);
        }
        catch (AuthenticationFailedException e)
        {
            throw AzureErrors.From(e);
        }
    }

    /// <summary>
    /// The machine, or null when it is gone or can no longer run (allocation failed, deallocated). A VM left in the Failed
    /// state by an allocation failure after the launch stopped waiting is deleted here, so that nothing is left behind.
    /// </summary>
    public async Task<CloudMachine?> GetAsync(string machineId, CancellationToken ct)
    {
        if (ParseId(machineId) is not { } id)
            return null;
        var data = await FindAsync(id, ct, InstanceViewType.InstanceView);
        if (data is null)
            return null;
        var machine = await ToMachineAsync(data, ct);
        if (machine.State != MachineState.Terminated)
            return machine;
        if (data.ProvisioningState == "Failed")
            await DeleteQuietlyAsync(id, "it failed to provision", ct);
        return null;
    }

    /// <summary>VMs of the resource group carrying every tag: the VM list (following nextLink), filtered here, because the Compute RP's list has no tag filter.</summary>
    public async Task<IReadOnlyList<CloudMachine>> ListAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        var machines = new List<CloudMachine>();
        try
        {
            await foreach (var vm in vms.GetAllAsync(cancellationToken: ct))
            {
                if (!tags.All(t => vm.Data.Tags.TryGetValue(t.Key, out var v) && v == t.Value))
                    continue;
                var machine = ToMachine(vm.Data, endpoint: null);
                if (machine.State != MachineState.Terminated)
                    machines.Add(machine);
            }
        }
        catch (RequestFailedException e) when (!IsTransient(e))
        {
            throw AzureErrors.From(e);
        }
        catch (AuthenticationFailedException e)
        {
            throw AzureErrors.From(e);
        }
        return machines;
    }

    /// <summary>
    /// Empty until cancelled: Azure posts a Spot eviction (a Preempt event, at least 30 s ahead) only to the VM's own Scheduled
    /// Events endpoint. The ReplicaAgent watches it and reports to the controller, which is where Azure notices come from.
    /// </summary>
    public async IAsyncEnumerable<InterruptionNotice> WatchInterruptionsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
        yield break;
    }

    private async Task<VirtualMachineData?> FindAsync(ResourceIdentifier id, CancellationToken ct, InstanceViewType? expand = null)
    {
        try
        {
            return (await arm.GetVirtualMachineResource(id).GetAsync(expand, ct)).Value.Data;
        }
        catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode is "ResourceNotFound" or "NotFound" or null)
        {
            return null;
        }
        catch (RequestFailedException e) when (!IsTransient(e))
        {
            throw AzureErrors.From(e);
        }
        catch (AuthenticationFailedException e)
        {
            throw AzureErrors.From(e);
        }
    }

    private async Task DeleteQuietlyAsync(ResourceIdentifier id, string why, CancellationToken ct)
    {
        try
        {
            await arm.GetVirtualMachineResource(id).DeleteAsync(WaitUntil.Started, forceDeletion: null, ct);
            log.AzureVmDeleting(id.Name, why);
        }
        catch (Exception e) when (e is RequestFailedException or AuthenticationFailedException)
        {
            log.AzureVmDeleteFailed(e, id.Name, why);
        }
    }

    private async Task<CloudMachine> ToMachineAsync(VirtualMachineData data, CancellationToken ct) =>
        ToMachine(data, data.ProvisioningState == "Succeeded" ? await PrivateIpAsync(data, ct) : null);

    private CloudMachine ToMachine(VirtualMachineData data, string? endpoint)
    {
        var tags = data.Tags.Where(t => t.Key != AzureNames.ClientTokenTag).ToDictionary(t => t.Key, t => t.Value);
        var token = data.Tags.TryGetValue(AzureNames.ClientTokenTag, out var t) ? t : "";
        var region = data.Location.Name;
        var zone = data.Zones.FirstOrDefault() is { } z ? $"{region}-{z}" : region;
        var spot = data.Priority == VirtualMachinePriorityType.Spot;
        var key = new OfferingKey(CloudName, region, zone, data.HardwareProfile?.VmSize?.ToString() ?? "", spot);
        return new CloudMachine(data.Id!.ToString(), token, key, State(data), tags, data.TimeCreated ?? time.GetUtcNow())
        {
            Endpoint = endpoint is null ? null : $"http://{endpoint}:{options.Agent.Port}",
        };
    }

    /// <summary>The primary NIC's private IP, from the Network RP (the VM resource only links to the NIC).</summary>
    private async Task<string?> PrivateIpAsync(VirtualMachineData data, CancellationToken ct)
    {
        var nic = data.NetworkProfile?.NetworkInterfaces.FirstOrDefault(n => n.Primary != false)?.Id;
        if (nic is null)
            return null;
        try
        {
            var resource = await arm.GetGenericResource(nic).GetAsync(ct);
            using var properties = JsonDocument.Parse(resource.Value.Data.Properties.ToString());
            foreach (var config in properties.RootElement.GetProperty("ipConfigurations").EnumerateArray())
                if (config.GetProperty("properties").TryGetProperty("privateIPAddress", out var ip))
                    return ip.GetString();
        }
        catch (Exception e) when (e is RequestFailedException or KeyNotFoundException or JsonException or InvalidOperationException)
        {
            log.PrivateIpUnreadable(nic.Name, e.Message);
        }
        return null;
    }

    /// <summary>Provisioning state, refined by the power state when the instance view was asked for.</summary>
    private static MachineState State(VirtualMachineData data)
    {
        var power = data.InstanceView?.Statuses.Select(s => s.Code).FirstOrDefault(c => c?.StartsWith("PowerState/", StringComparison.Ordinal) == true);
        return (data.ProvisioningState, power) switch
        {
            ("Deleting", _) => MachineState.ShuttingDown,
            ("Failed" or "Canceled", _) => MachineState.Terminated,
            (_, "PowerState/stopping" or "PowerState/deallocating") => MachineState.ShuttingDown,
            (_, "PowerState/stopped" or "PowerState/deallocated") => MachineState.Terminated,
            ("Succeeded", "PowerState/running" or null) => MachineState.Running,
            _ => MachineState.Pending, // Creating, Updating, PowerState/starting
        };
    }

    private ResourceIdentifier? ParseId(string machineId)
    {
        if (!ResourceIdentifier.TryParse(machineId, out var id) || id is null)
            return null;
        return id.ResourceType == VirtualMachineResource.ResourceType ? id : null;
    }

    /// <summary>Throttling and server errors that outlived the SDK's own retries: a transient failure, not a typed one.</summary>
    private static bool IsTransient(RequestFailedException e) => e.Status is 429 or >= 500 && e.ErrorCode is null or "InternalServerError" or "ServerBusy" or "TooManyRequests";
}

internal static partial class AzureCloudProviderLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "launch of {Name} ({Offering}) still provisioning after {Wait}; followed from here by get")]
    public static partial void AzureLaunchStillProvisioning(this ILogger logger, string name, OfferingKey offering, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Information, Message = "launched {Name} ({Offering})")]
    public static partial void AzureVmLaunched(this ILogger logger, string name, OfferingKey offering);

    [LoggerMessage(Level = LogLevel.Information, Message = "no capacity for {Offering}: {Code}; shunned for {Ttl}")]
    public static partial void AzureNoCapacity(this ILogger logger, OfferingKey offering, string? code, TimeSpan ttl);

    [LoggerMessage(Level = LogLevel.Information, Message = "deleting {Vm}: {Why}")]
    public static partial void AzureVmDeleting(this ILogger logger, string vm, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not delete {Vm} ({Why}); the orphan collector will find it")]
    public static partial void AzureVmDeleteFailed(this ILogger logger, Exception exception, string vm, string why);

    [LoggerMessage(Level = LogLevel.Warning, Message = "could not read the private IP of {Nic}: {Error}")]
    public static partial void PrivateIpUnreadable(this ILogger logger, string nic, string error);
}
