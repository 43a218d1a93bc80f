using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SkyServe.Cloud.Emulators.Azure;

/// <summary>
/// A loopback Azure Resource Manager (over HTTPS, as Azure.Core sends bearer tokens only over TLS) with the Compute RP calls a
/// VM client makes: PUT/GET/DELETE virtualMachines, the resource group's VM list with nextLink paging, simulateEviction, the
/// Azure-AsyncOperation/Location polling of long-running operations, and the NICs the Compute RP creates from
/// networkInterfaceConfigurations. Every call needs the api-version parameter, a bearer token from the emulator's Entra ID
/// endpoint (401 InvalidAuthenticationToken otherwise) and the RBAC actions ARM would check (403 AuthorizationFailed /
/// LinkedAuthorizationFailed). Errors use ARM's body <c>{"error":{"code","message"}}</c>. Tests script capacity per zone
/// (→ ZonalAllocationFailed / AllocationFailed in the operation), restricted sizes (→ SkuNotAvailable), a VM quota
/// (→ OperationNotAllowed), evictions (the VM is deleted after the notice) and one-off failures.
/// </summary>
public sealed class ArmEmulator : IAsyncDisposable
{
    private const string ComputeProvider = "/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines";

    private readonly ArmEmulatorOptions options;
    private readonly EntraTokenIssuer entra;
    private readonly object gate = new();
    private readonly Dictionary<string, EmulatedVm> vms = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, EmulatedOperation> operations = [];
    private readonly Dictionary<(string Location, string Zone, bool Spot), int> capacity = [];
    private readonly HashSet<(string Location, string Size)> restricted = [];
    private readonly HashSet<string> denied = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> checkedActions = new(StringComparer.OrdinalIgnoreCase);
    private readonly ScriptedFailures failures = new(StringComparison.OrdinalIgnoreCase);
    private LoopbackServer server = null!;
    private int nextIp = 4;

    private ArmEmulator(ArmEmulatorOptions options)
    {
        this.options = options;
        entra = new EntraTokenIssuer(options.TenantId, TimeProvider.System);
        Certificate = CreateCertificate();
    }

    public static async Task<ArmEmulator> StartAsync(ArmEmulatorOptions? options = null)
    {
        var emulator = new ArmEmulator(options ?? new ArmEmulatorOptions());
        emulator.server = await LoopbackServer.StartAsync(emulator.Map, emulator.Certificate);
        return emulator;
    }

    public ArmEmulatorOptions Options => options;

    /// <summary>The self-signed certificate the emulator serves; clients trust exactly this one (<see cref="CreateHandler"/>).</summary>
    public X509Certificate2 Certificate { get; }

    public OffsetClock Clock { get; } = new();

    /// <summary>The ARM endpoint (like https://management.azure.com/), and the Entra ID authority host too.</summary>
    public Uri Endpoint => server.BaseUri;

    public IReadOnlyList<RecordedRequest> Requests => server.Requests;

    public int TokensIssued => entra.Issued;

    /// <summary>Every RBAC action a call has been checked for so far.</summary>
    public IReadOnlySet<string> ActionsChecked
    {
        get
        {
            lock (gate)
                return checkedActions.ToHashSet(StringComparer.OrdinalIgnoreCase);
        }
    }

    /// <summary>Most live VMs the subscription may have; more is OperationNotAllowed (a cores quota).</summary>
    public int VmQuota { get; set; } = int.MaxValue;

    /// <summary>The error code of an allocation failure in a zone: ZonalAllocationFailed (default) or OverconstrainedZonalAllocationRequest.</summary>
    public string ZonalAllocationCode { get; set; } = "ZonalAllocationFailed";

    /// <summary>An HTTP handler that trusts this emulator's certificate (and nothing else).</summary>
    public HttpMessageHandler CreateHandler() => new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == Certificate.GetCertHashString(),
        },
    };

    /// <summary>An app registration (service principal) whose client secret the Entra ID endpoint accepts.</summary>
    public void RegisterClient(string clientId, string secret) => entra.Register(clientId, secret);

    /// <summary>An access token for <paramref name="clientId"/>, as if it had been through the token endpoint.</summary>
    public string IssueToken(string clientId = "test-client") => entra.IssueDirectly(clientId);

    public void RevokeTokens() => entra.RevokeAll();

    /// <summary>How many more VMs of the market fit in the zone ("1", "2", "3"; "" for no zone); unset is unlimited.</summary>
    public void SetCapacity(string location, string zone, bool spot, int vms)
    {
        lock (gate)
            capacity[(location, zone, spot)] = vms;
    }

    /// <summary>The size is not offered to this subscription in the location: PUT gets 409 SkuNotAvailable.</summary>
    public void RestrictSku(string location, string size)
    {
        lock (gate)
            restricted.Add((location, size));
    }

    /// <summary>The caller's role loses this action (e.g. Microsoft.Compute/virtualMachines/write).</summary>
    public void Deny(string action)
    {
        lock (gate)
            denied.Add(action);
    }

    /// <summary>The next <paramref name="times"/> ARM calls whose method and path match fail with this status and ARM error code.</summary>
    public void FailNext(int status, string code, string message, string method = "", string pathContains = "", int times = 1, int? retryAfterSeconds = null)
    {
        failures.Add(new ScriptedFailures.Failure(method, pathContains, status, code, message, retryAfterSeconds), times);
    }

    /// <summary>Azure reclaims a Spot VM: a Preempt Scheduled Event inside the VM, then, after the notice, the eviction policy.</summary>
    public void Evict(string name)
    {
        lock (gate)
        {
            Sweep();
            if (!vms.TryGetValue(name, out var vm) || vm.Data["properties"]?["priority"]?.GetValue<string>() != "Spot")
                throw new InvalidOperationException($"no Spot VM {name} to evict");
            vm.EvictAt ??= Clock.GetUtcNow() + options.EvictionNotice;
        }
    }

    /// <summary>The VM as ARM shows it now (with its instance view), or null.</summary>
    public JsonObject? Vm(string name)
    {
        lock (gate)
        {
            Sweep();
            return vms.TryGetValue(name, out var vm) ? Render(vm, instanceView: true) : null;
        }
    }

    /// <summary>Every live VM (not deallocated, not being evicted) with its NIC's private IP.</summary>
    public IReadOnlyList<(string Name, bool Spot, string Address)> LiveMachines()
    {
        lock (gate)
        {
            Sweep();
            var now = Clock.GetUtcNow();
            return vms.Values.Where(v => v.IsLive(now))
                .Select(v => (v.Name, v.Spot,
                    v.Nic?["properties"]?["ipConfigurations"]?[0]?["properties"]?["privateIPAddress"]?.GetValue<string>() ?? ""))
                .ToList();
        }
    }

    public int LiveVms
    {
        get
        {
            lock (gate)
            {
                Sweep();
                return vms.Values.Count(v => v.IsLive(Clock.GetUtcNow()));
            }
        }
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/common/discovery/instance", context => entra.DiscoveryAsync(context, Endpoint));
        app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", context => entra.OpenIdConfigurationAsync(context, Endpoint));
        app.MapPost("/{tenant}/oauth2/v2.0/token", entra.TokenAsync);
        app.MapPut(ComputeProvider + "/{name}", context => Call(context, PutAsync));
        app.MapGet(ComputeProvider + "/{name}", context => Call(context, GetAsync));
        app.MapDelete(ComputeProvider + "/{name}", context => Call(context, DeleteAsync));
        app.MapGet(ComputeProvider, context => Call(context, ListAsync));
        app.MapPost(ComputeProvider + "/{name}/simulateEviction", context => Call(context, SimulateEvictionAsync));
        app.MapGet("/subscriptions/{subscription}/providers/Microsoft.Compute/locations/{location}/operations/{operation}", context => Call(context, OperationAsync));
        app.MapGet("/subscriptions/{subscription}/resourceGroups/{group}/providers/Microsoft.Network/networkInterfaces/{name}", context => Call(context, NicAsync));
        app.MapFallback(context => ErrorAsync(context, 404, "InvalidResourceType", $"The resource type could not be found for {context.Request.Path}."));
    }

    /// <summary>What every ARM call goes through: api-version, authentication, subscription and resource group, scripted failures.</summary>
    private async Task Call(HttpContext context, Func<HttpContext, string, Task> handler)
    {
        context.Response.Headers["x-ms-request-id"] = Guid.NewGuid().ToString();
        context.Response.Headers["x-ms-correlation-request-id"] = context.Request.Headers["x-ms-client-request-id"].FirstOrDefault() ?? Guid.NewGuid().ToString();
        if (string.IsNullOrEmpty(context.Request.Query["api-version"]))
        {
            await ErrorAsync(context, 400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
            return;
        }
        var client = entra.Authenticate(context.Request);
        if (client is null)
        {
            context.Response.Headers.WWWAuthenticate =
                $"Bearer authorization_uri=\"{Endpoint}{options.TenantId}\", error=\"invalid_token\", error_description=\"The access token is invalid.\"";
            await ErrorAsync(context, 401, context.Request.Headers.Authorization.Count == 0 ? "AuthenticationFailed" : "InvalidAuthenticationToken",
                context.Request.Headers.Authorization.Count == 0 ? "Authentication failed. The 'Authorization' header is missing." : "The access token is invalid.");
            return;
        }
        var subscription = (string)context.Request.RouteValues["subscription"]!;
        if (!string.Equals(subscription, options.SubscriptionId, StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, 404, "SubscriptionNotFound", $"The subscription '{subscription}' could not be found.");
            return;
        }
        if (context.Request.RouteValues["group"] is string group && !options.ResourceGroups.Contains(group))
        {
            await ErrorAsync(context, 404, "ResourceGroupNotFound", $"Resource group '{group}' could not be found.");
            return;
        }
        lock (gate)
            Sweep();
        if (failures.Take(context.Request.Method, context.Request.Path.Value!) is { } failure)
        {
            if (failure.RetryAfterSeconds is { } seconds)
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            await ErrorAsync(context, failure.Status, failure.Code, failure.Message);
            return;
        }
        await handler(context, client);
    }

    private async Task PutAsync(HttpContext context, string client)
    {
        var (group, name) = ((string)context.Request.RouteValues["group"]!, (string)context.Request.RouteValues["name"]!);
        var id = VmId(group, name);
        JsonObject body;
        try
        {
            body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException)
        {
            await ErrorAsync(context, 400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
            return;
        }
        if (await AuthorizeAsync(context, client, "Microsoft.Compute/virtualMachines/write", id) is false)
            return;
        var properties = body["properties"]?.AsObject() ?? [];
        var subnets = (properties["networkProfile"]?["networkInterfaceConfigurations"]?.AsArray() ?? [])
            .SelectMany(n => n?["properties"]?["ipConfigurations"]?.AsArray() ?? [])
            .Select(c => c?["properties"]?["subnet"]?["id"]?.GetValue<string>()).OfType<string>().ToList();
        // Linked actions: the NIC and disk the Compute RP makes for the VM, and joining the subnet.
        foreach (var (action, scope) in new[] { ("Microsoft.Compute/disks/write", id), ("Microsoft.Network/networkInterfaces/write", id) }
            .Concat(subnets.Select(s => ("Microsoft.Network/virtualNetworks/subnets/join/action", s))))
        {
            if (!Allowed(action))
            {
                await ErrorAsync(context, 403, "LinkedAuthorizationFailed",
                    $"The client '{client}' with object id '{client}' has permission to perform action 'Microsoft.Compute/virtualMachines/write' on scope '{id}'; however, it does not have permission to perform action(s) '{action}' on the linked scope(s) '{scope}' (respectively) or the linked scope(s) are invalid.");
                return;
            }
        }
        var location = body["location"]?.GetValue<string>() ?? "";
        var zone = body["zones"]?.AsArray().FirstOrDefault()?.GetValue<string>() ?? "";
        var size = properties["hardwareProfile"]?["vmSize"]?.GetValue<string>() ?? "";
        var spot = properties["priority"]?.GetValue<string>() == "Spot";
        if (Validate(body, properties, size, subnets) is { } invalid)
        {
            await ErrorAsync(context, invalid.Status, invalid.Code, invalid.Message, invalid.Target);
            return;
        }
        EmulatedVm? existing;
        lock (gate)
            existing = vms.GetValueOrDefault(name);
        if (existing is not null)
        {
            // An update with the same body (a retried create): ARM answers 200 with the VM as it is.
            await WriteAsync(context, 200, RenderLocked(existing));
            return;
        }
        bool isRestricted;
        int live;
        lock (gate)
        {
            isRestricted = restricted.Contains((location, size));
            live = vms.Values.Count(v => v.IsLive(Clock.GetUtcNow()));
        }
        if (isRestricted)
        {
            await ErrorAsync(context, 409, "SkuNotAvailable",
                $"The requested VM size for resource 'Following SKUs have failed for Capacity Restrictions: {size}' is currently not available in location '{location}'. Please try another size or deploy to a different location or zones. See https://aka.ms/azureskunotavailable for details.");
            return;
        }
        if (live >= VmQuota)
        {
            await ErrorAsync(context, 409, "OperationNotAllowed",
                $"Operation could not be completed as it results in exceeding approved {(spot ? "LowPriorityCores" : "Total Regional Cores")} quota. Additional details - Deployment Model: Resource Manager, Location: {location}, Current Limit: {VmQuota * 4}, Current Usage: {live * 4}, Additional Required: 4, (Minimum) New Limit Required: {live * 4 + 4}. Submit a request for Quota increase at https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/UsageAndQuota.ReactView/Parameters/ for details.");
            return;
        }
        EmulatedVm vm;
        EmulatedOperation operation;
        lock (gate)
        {
            var now = Clock.GetUtcNow();
            vm = new EmulatedVm(name, id, Enrich(group, name, id, body), now);
            var fits = !capacity.TryGetValue((location, zone, spot), out var limit)
                || vms.Values.Count(v => v.IsLive(now) && v.Location == location && v.Zone == zone && v.Spot == spot) < limit;
            vms[name] = vm;
            operation = NewOperation(location, now);
            vm.Creation = operation;
            if (!fits)
                operation.Fail(zone.Length > 0 ? ZonalAllocationCode : "AllocationFailed", zone.Length > 0
                    ? "Allocation failed. We do not have sufficient capacity for the requested VM size in this zone. Read more about improving likelihood of allocation success at http://aka.ms/allocation-guidance"
                    : "Allocation failed. We do not have sufficient capacity for the requested VM size in this region. Read more about improving likelihood of allocation success at http://aka.ms/allocation-guidance");
        }
        AsyncHeaders(context, operation, location: false);
        await WriteAsync(context, 201, RenderLocked(vm));
    }

    private async Task GetAsync(HttpContext context, string client)
    {
        var (group, name) = ((string)context.Request.RouteValues["group"]!, (string)context.Request.RouteValues["name"]!);
        if (await AuthorizeAsync(context, client, "Microsoft.Compute/virtualMachines/read", VmId(group, name)) is false)
            return;
        JsonObject? rendered;
        lock (gate)
            rendered = vms.TryGetValue(name, out var vm) ? Render(vm, context.Request.Query["$expand"] == "instanceView") : null;
        if (rendered is null)
            await NotFoundAsync(context, group, name);
        else
            await WriteAsync(context, 200, rendered);
    }

    private async Task DeleteAsync(HttpContext context, string client)
    {
        var (group, name) = ((string)context.Request.RouteValues["group"]!, (string)context.Request.RouteValues["name"]!);
        if (await AuthorizeAsync(context, client, "Microsoft.Compute/virtualMachines/delete", VmId(group, name)) is false)
            return;
        EmulatedOperation? operation = null;
        lock (gate)
        {
            if (vms.TryGetValue(name, out var vm))
            {
                operation = NewOperation(vm.Location, Clock.GetUtcNow());
                vm.Deletion ??= operation;
            }
        }
        if (operation is null)
        {
            context.Response.StatusCode = 204; // ARM: deleting what is not there succeeds
            return;
        }
        AsyncHeaders(context, operation, location: true);
        context.Response.StatusCode = 202;
    }

    private async Task SimulateEvictionAsync(HttpContext context, string client)
    {
        var (group, name) = ((string)context.Request.RouteValues["group"]!, (string)context.Request.RouteValues["name"]!);
        if (await AuthorizeAsync(context, client, "Microsoft.Compute/virtualMachines/simulateEviction/action", VmId(group, name)) is false)
            return;
        bool found;
        lock (gate)
            found = vms.ContainsKey(name);
        if (!found)
        {
            await NotFoundAsync(context, group, name);
            return;
        }
        try
        {
            Evict(name);
        }
        catch (InvalidOperationException)
        {
            await ErrorAsync(context, 409, "OperationNotAllowed", "Simulate eviction is only supported for Spot virtual machines.");
            return;
        }
        context.Response.StatusCode = 204;
    }

    /// <summary>The resource group's VMs, a page at a time, with nextLink to the next page.</summary>
    private async Task ListAsync(HttpContext context, string client)
    {
        var group = (string)context.Request.RouteValues["group"]!;
        if (await AuthorizeAsync(context, client, "Microsoft.Compute/virtualMachines/read", $"/subscriptions/{options.SubscriptionId}/resourceGroups/{group}") is false)
            return;
        var skip = int.TryParse(context.Request.Query["$skiptoken"], out var s) ? s : 0;
        List<JsonObject> page;
        int total;
        lock (gate)
        {
            var all = vms.Values.OrderBy(v => v.Name, StringComparer.OrdinalIgnoreCase).ToList();
            total = all.Count;
            page = all.Skip(skip).Take(options.PageSize).Select(v => Render(v, instanceView: false)).ToList();
        }
        var result = new JsonObject { ["value"] = new JsonArray(page.Select(p => (JsonNode)p).ToArray()) };
        if (skip + page.Count < total)
            result["nextLink"] = $"{Endpoint}subscriptions/{options.SubscriptionId}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines?api-version={context.Request.Query["api-version"]}&$skiptoken={skip + page.Count}";
        await WriteAsync(context, 200, result);
    }

    /// <summary>The Azure-AsyncOperation resource: InProgress, then Succeeded or Failed with the error.</summary>
    private async Task OperationAsync(HttpContext context, string client)
    {
        var id = (string)context.Request.RouteValues["operation"]!;
        EmulatedOperation? operation;
        lock (gate)
            operation = operations.GetValueOrDefault(id);
        if (operation is null)
        {
            await ErrorAsync(context, 404, "NotFound", $"The operation '{id}' was not found.");
            return;
        }
        var now = Clock.GetUtcNow();
        var json = new JsonObject { ["startTime"] = Timestamp(operation.StartedAt), ["name"] = id };
        if (now < operation.DoneAt)
        {
            json["status"] = "InProgress";
            if (options.RetryAfterSeconds is { } seconds)
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            json["endTime"] = Timestamp(operation.DoneAt);
            json["status"] = operation.ErrorCode is null ? "Succeeded" : "Failed";
            if (operation.ErrorCode is not null)
                json["error"] = new JsonObject { ["code"] = operation.ErrorCode, ["message"] = operation.ErrorMessage };
        }
        await WriteAsync(context, 200, json);
    }

    private async Task NicAsync(HttpContext context, string client)
    {
        var (group, name) = ((string)context.Request.RouteValues["group"]!, (string)context.Request.RouteValues["name"]!);
        var id = $"/subscriptions/{options.SubscriptionId}/resourceGroups/{group}/providers/Microsoft.Network/networkInterfaces/{name}";
        if (await AuthorizeAsync(context, client, "Microsoft.Network/networkInterfaces/read", id) is false)
            return;
        JsonObject? nic;
        lock (gate)
            nic = vms.Values.Select(v => v.Nic).FirstOrDefault(n => string.Equals(n?["id"]?.GetValue<string>(), id, StringComparison.OrdinalIgnoreCase))?.DeepClone().AsObject();
        if (nic is null)
            await ErrorAsync(context, 404, "ResourceNotFound", $"The Resource 'Microsoft.Network/networkInterfaces/{name}' under resource group '{group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
        else
            await WriteAsync(context, 200, nic);
    }

    /// <summary>What the Compute RP checks of a VM body that this emulator can check; null when it is acceptable.</summary>
    private (int Status, string Code, string Message, string? Target)? Validate(JsonObject body, JsonObject properties, string size, List<string> subnets)
    {
        if (body["location"] is null)
            return (400, "LocationRequired", "The location property is required for this definition.", null);
        if (!options.VmSizes.Contains(size))
            return (400, "InvalidParameter", $"The value {size} provided for the VM size is not valid. The valid sizes in the current region are: {string.Join(",", options.VmSizes)}.", "vmSize");
        var priority = properties["priority"]?.GetValue<string>();
        var eviction = properties["evictionPolicy"]?.GetValue<string>();
        if (priority is not (null or "Regular" or "Low" or "Spot"))
            return (400, "InvalidParameter", $"The value '{priority}' of parameter 'priority' is not allowed.", "priority");
        if (eviction is not null && priority != "Spot" && priority != "Low")
            return (400, "InvalidParameter", "Eviction policy can be set only on Spot Virtual Machines.", "evictionPolicy");
        if (eviction is not (null or "Delete" or "Deallocate"))
            return (400, "InvalidParameter", $"The value '{eviction}' of parameter 'evictionPolicy' is not allowed.", "evictionPolicy");
        if (properties["billingProfile"]?["maxPrice"]?.GetValue<double>() is { } maxPrice && maxPrice != -1 && maxPrice <= 0)
            return (400, "InvalidParameter", "The value of parameter maxPrice is invalid: it must be -1 or greater than 0.", "billingProfile.maxPrice");
        if (properties["billingProfile"] is not null && priority != "Spot" && priority != "Low")
            return (400, "InvalidParameter", "Max price can be set only on Spot Virtual Machines.", "billingProfile.maxPrice");
        var os = properties["osProfile"]?.AsObject();
        if (os?["computerName"] is null || os["adminUsername"] is null)
            return (400, "InvalidParameter", "Required parameter 'osProfile' is missing (null).", "osProfile");
        if (os["linuxConfiguration"]?["disablePasswordAuthentication"]?.GetValue<bool>() == true
            && os["linuxConfiguration"]?["ssh"]?["publicKeys"]?.AsArray() is not { Count: > 0 })
            return (400, "InvalidParameter", "Authentication using either SSH or by user name and password must be enabled in Linux profile.", "linuxConfiguration");
        if (os["customData"]?.GetValue<string>() is { } customData)
        {
            Span<byte> decoded = new byte[customData.Length];
            if (!Convert.TryFromBase64String(customData, decoded, out var length) || length > 64 * 1024)
                return (400, "InvalidParameter", "Custom data in OSProfile must be in Base64 encoding and with a maximum length of 87380 characters.", "customData");
        }
        var network = properties["networkProfile"]?.AsObject();
        if (network?["networkInterfaceConfigurations"] is not null && network["networkApiVersion"] is null)
            return (400, "InvalidParameter", "networkApiVersion must be specified when networkInterfaceConfigurations is used.", "networkProfile.networkApiVersion");
        if (network?["networkInterfaceConfigurations"]?.AsArray().Count is not > 0 && network?["networkInterfaces"]?.AsArray().Count is not > 0)
            return (400, "InvalidParameter", "Required parameter 'networkProfile' is missing (null).", "networkProfile");
        foreach (var subnet in subnets.Where(s => !options.Subnets.Contains(s)))
            return (400, "InvalidResourceReference", $"Resource {subnet} referenced by resource {body["name"]} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.", null);
        if (properties["storageProfile"]?["imageReference"] is null)
            return (400, "InvalidParameter", "Required parameter 'imageReference' is missing (null).", "imageReference");
        var osDisk = properties["storageProfile"]?["osDisk"];
        if (osDisk?["diskSizeGB"]?.GetValue<int>() is { } diskSize && diskSize is < 1 or > 4095)
            return (400, "InvalidParameter", $"The value {diskSize} of parameter 'osDisk.diskSizeGB' is out of range. The value must be between '1' and '4095', inclusive.", "osDisk.diskSizeGB");
        var storageType = osDisk?["managedDisk"]?["storageAccountType"]?.GetValue<string>();
        if (storageType is not (null or "Standard_LRS" or "StandardSSD_LRS" or "Premium_LRS" or "StandardSSD_ZRS" or "Premium_ZRS"))
            return (400, "InvalidParameter", $"Storage account type '{storageType}' is not supported for OS disks.", "osDisk.managedDisk.storageAccountType");
        return null;
    }

    /// <summary>The VM resource as ARM stores it: id, type, vmId, the NIC it made, the OS disk's name; no customData (ARM never returns it).</summary>
    private JsonObject Enrich(string group, string name, string id, JsonObject body)
    {
        var vm = body.DeepClone().AsObject();
        vm["name"] = name;
        vm["id"] = id;
        vm["type"] = "Microsoft.Compute/virtualMachines";
        var properties = vm["properties"]!.AsObject();
        properties["vmId"] = Guid.NewGuid().ToString();
        properties["timeCreated"] = Timestamp(Clock.GetUtcNow());
        properties["osProfile"]!.AsObject().Remove("customData");
        properties["osProfile"]!["allowExtensionOperations"] = true;
        properties["osProfile"]!["requireGuestProvisionSignal"] = true;
        if (properties["storageProfile"]?["osDisk"] is JsonObject disk)
        {
            var diskName = $"{name}_OsDisk_1_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}";
            disk["osType"] = "Linux";
            disk["name"] = diskName;
            disk["caching"] ??= "ReadWrite";
            if (disk["managedDisk"] is JsonObject managed)
                managed["id"] = $"/subscriptions/{options.SubscriptionId}/resourceGroups/{group.ToUpperInvariant()}/providers/Microsoft.Compute/disks/{diskName}";
        }
        var network = properties["networkProfile"]?.AsObject();
        var configuration = network?["networkInterfaceConfigurations"]?.AsArray().FirstOrDefault()?.AsObject();
        if (network is not null && configuration is not null)
        {
            var nicName = configuration["name"]!.GetValue<string>();
            var nicId = $"/subscriptions/{options.SubscriptionId}/resourceGroups/{group}/providers/Microsoft.Network/networkInterfaces/{nicName}";
            network["networkInterfaces"] = new JsonArray(new JsonObject
            {
                ["id"] = nicId,
                ["properties"] = new JsonObject { ["primary"] = true, ["deleteOption"] = configuration["properties"]?["deleteOption"]?.DeepClone() ?? "Detach" },
            });
            var ipConfiguration = configuration["properties"]?["ipConfigurations"]?.AsArray().FirstOrDefault();
            vm["nic"] = new JsonObject
            {
                ["name"] = nicName,
                ["id"] = nicId,
                ["type"] = "Microsoft.Network/networkInterfaces",
                ["location"] = body["location"]?.DeepClone(),
                ["properties"] = new JsonObject
                {
                    ["provisioningState"] = "Succeeded",
                    ["ipConfigurations"] = new JsonArray(new JsonObject
                    {
                        ["name"] = ipConfiguration?["name"]?.DeepClone(),
                        ["id"] = $"{nicId}/ipConfigurations/{ipConfiguration?["name"]}",
                        ["properties"] = new JsonObject
                        {
                            ["privateIPAddress"] = $"{options.AddressPrefix}.{nextIp / 250}.{nextIp++ % 250 + 4}",
                            ["privateIPAllocationMethod"] = "Dynamic",
                            ["subnet"] = ipConfiguration?["properties"]?["subnet"]?.DeepClone(),
                            ["primary"] = true,
                            ["privateIPAddressVersion"] = "IPv4",
                        },
                    }),
                    ["virtualMachine"] = new JsonObject { ["id"] = id },
                },
            };
        }
        return vm;
    }

    private JsonObject RenderLocked(EmulatedVm vm)
    {
        lock (gate)
            return Render(vm, instanceView: false);
    }

    private JsonObject Render(EmulatedVm vm, bool instanceView)
    {
        var now = Clock.GetUtcNow();
        var json = vm.Data.DeepClone().AsObject();
        json.Remove("nic");
        var state = vm.ProvisioningState(now);
        json["properties"]!["provisioningState"] = state;
        if (instanceView)
        {
            var power = state switch
            {
                "Creating" => ("PowerState/starting", "VM starting"),
                "Succeeded" => ("PowerState/running", "VM running"),
                "Deleting" => ("PowerState/stopping", "VM stopping"),
                _ => ("PowerState/stopped", "VM stopped"),
            };
            var statuses = new JsonArray(
                new JsonObject { ["code"] = $"ProvisioningState/{state.ToLowerInvariant()}", ["level"] = state == "Failed" ? "Error" : "Info", ["displayStatus"] = $"Provisioning {state.ToLowerInvariant()}", ["time"] = Timestamp(now) },
                new JsonObject { ["code"] = power.Item1, ["level"] = "Info", ["displayStatus"] = power.Item2 });
            if (state == "Failed")
                statuses.Insert(1, new JsonObject { ["code"] = $"ProvisioningState/failed/{vm.Creation?.ErrorCode}", ["level"] = "Error", ["displayStatus"] = "Provisioning failed", ["message"] = vm.Creation?.ErrorMessage });
            json["properties"]!["instanceView"] = new JsonObject { ["computerName"] = vm.Name, ["osName"] = "ubuntu", ["statuses"] = statuses };
        }
        return json;
    }

    private EmulatedOperation NewOperation(string location, DateTimeOffset now)
    {
        var operation = new EmulatedOperation(Guid.NewGuid().ToString(), location, now, now + options.OperationDuration);
        operations[operation.Id] = operation;
        return operation;
    }

    private void AsyncHeaders(HttpContext context, EmulatedOperation operation, bool location)
    {
        var apiVersion = context.Request.Query["api-version"];
        var url = $"{Endpoint}subscriptions/{options.SubscriptionId}/providers/Microsoft.Compute/locations/{operation.Location}/operations/{operation.Id}?p={Guid.NewGuid()}&api-version={apiVersion}";
        context.Response.Headers["Azure-AsyncOperation"] = url;
        if (location)
            context.Response.Headers.Location = url + "&monitor=true";
        if (options.RetryAfterSeconds is { } seconds)
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Carries out what time has decided: deleted and evicted VMs (evictionPolicy Delete) go, with their NICs and disks.</summary>
    private void Sweep()
    {
        var now = Clock.GetUtcNow();
        foreach (var vm in vms.Values.ToList())
        {
            if (vm.Deletion?.DoneAt <= now)
                vms.Remove(vm.Name);
            else if (vm.EvictAt <= now)
            {
                if (vm.Data["properties"]?["evictionPolicy"]?.GetValue<string>() == "Deallocate")
                    vm.Deallocated = true;
                else
                    vms.Remove(vm.Name);
            }
        }
    }

    private async Task<bool> AuthorizeAsync(HttpContext context, string client, string action, string scope)
    {
        if (Allowed(action))
            return true;
        await ErrorAsync(context, 403, "AuthorizationFailed",
            $"The client '{client}' with object id '{client}' does not have authorization to perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.");
        return false;
    }

    private bool Allowed(string action)
    {
        lock (gate)
        {
            checkedActions.Add(action);
            if (denied.Contains(action))
                return false;
            return options.Actions is null || options.Actions.Any(granted => granted == "*"
                || string.Equals(granted, action, StringComparison.OrdinalIgnoreCase)
                || (granted.EndsWith("/*", StringComparison.Ordinal) && action.StartsWith(granted[..^1], StringComparison.OrdinalIgnoreCase)));
        }
    }

    private string VmId(string group, string name) =>
        $"/subscriptions/{options.SubscriptionId}/resourceGroups/{group}/providers/Microsoft.Compute/virtualMachines/{name}";

    private static Task NotFoundAsync(HttpContext context, string group, string name) => ErrorAsync(context, 404, "ResourceNotFound",
        $"The Resource 'Microsoft.Compute/virtualMachines/{name}' under resource group '{group}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'+00:00'", CultureInfo.InvariantCulture);

    private static Task WriteAsync(HttpContext context, int status, JsonObject json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(json.ToJsonString());
    }

    private static Task ErrorAsync(HttpContext context, int status, string code, string message, string? target = null)
    {
        context.Response.Headers["x-ms-failure-cause"] = status >= 500 ? "service" : "gateway";
        var error = new JsonObject { ["code"] = code, ["message"] = message };
        if (target is not null)
            error["target"] = target;
        return WriteAsync(context, status, new JsonObject { ["error"] = error });
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), password: null);
    }

    public async ValueTask DisposeAsync()
    {
        await server.DisposeAsync();
        Certificate.Dispose();
    }

    private sealed class EmulatedVm(string name, string id, JsonObject data, DateTimeOffset createdAt)
    {
        public string Name { get; } = name;
        public string Id { get; } = id;
        public JsonObject Data { get; } = data;
        public JsonObject? Nic => Data["nic"]?.AsObject();
        public DateTimeOffset CreatedAt { get; } = createdAt;
        public string Location => Data["location"]!.GetValue<string>();
        public string Zone => Data["zones"]?.AsArray().FirstOrDefault()?.GetValue<string>() ?? "";
        public bool Spot => Data["properties"]?["priority"]?.GetValue<string>() == "Spot";
        public EmulatedOperation? Creation { get; set; }
        public EmulatedOperation? Deletion { get; set; }
        public DateTimeOffset? EvictAt { get; set; }
        public bool Deallocated { get; set; }

        public bool IsLive(DateTimeOffset now) => ProvisioningState(now) is "Creating" or "Succeeded" && !Deallocated && EvictAt is null;

        public string ProvisioningState(DateTimeOffset now) =>
            Deletion is not null ? "Deleting"
            : Creation is { } creation && now < creation.DoneAt ? "Creating"
            : Creation?.ErrorCode is not null ? "Failed"
            : "Succeeded";
    }

    private sealed class EmulatedOperation(string id, string location, DateTimeOffset startedAt, DateTimeOffset doneAt)
    {
        public string Id { get; } = id;
        public string Location { get; } = location;
        public DateTimeOffset StartedAt { get; } = startedAt;
        public DateTimeOffset DoneAt { get; } = doneAt;
        public string? ErrorCode { get; private set; }
        public string? ErrorMessage { get; private set; }

        public void Fail(string code, string message) => (ErrorCode, ErrorMessage) = (code, message);
    }
}
