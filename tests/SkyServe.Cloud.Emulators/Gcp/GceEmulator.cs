using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SkyServe.Cloud.Emulators.Gcp;

/// <summary>
/// A loopback Compute Engine (API v1) for provider tests: instances insert/get/delete/aggregatedList, zone operations that
/// go PENDING → RUNNING → DONE (get and wait), aggregated operations, and Google's OAuth token endpoint for service-account
/// keys. Every API call needs a bearer token the token endpoint issued (401 otherwise) and the IAM permission GCE would
/// ask for (403). Errors use GCE's body <c>{"error":{"code","message","errors":[{"reason","message","domain"}]}}</c>.
/// Tests script spot and on-demand capacity per zone (→ ZONE_RESOURCE_POOL_EXHAUSTED in the operation), an instance quota
/// (→ QUOTA_EXCEEDED), preemptions (a <c>compute.instances.preempted</c> operation, STOPPING, then TERMINATED and deleted
/// for instanceTerminationAction DELETE) and one-off failures.
/// </summary>
public sealed partial class GceEmulator : IAsyncDisposable
{
    private readonly GceEmulatorOptions options;
    private readonly GceTokenIssuer tokens = new(TimeProvider.System);
    private readonly object gate = new();
    private readonly Dictionary<(string Zone, string Name), EmulatedInstance> instances = [];
    private readonly List<EmulatedOperation> operations = [];
    private readonly Dictionary<string, EmulatedOperation> byRequestId = [];
    private readonly Dictionary<(string Zone, bool Spot), int> capacity = [];
    private readonly HashSet<string> denied = [];
    private readonly HashSet<string> checkedPermissions = [];
    private readonly ScriptedFailures failures = new(StringComparison.Ordinal);
    private LoopbackServer server = null!;
    private int nextIp = 2;

    private GceEmulator(GceEmulatorOptions options) => this.options = options;

    public static async Task<GceEmulator> StartAsync(GceEmulatorOptions? options = null)
    {
        var emulator = new GceEmulator(options ?? new GceEmulatorOptions());
        emulator.server = await LoopbackServer.StartAsync(emulator.Map);
        return emulator;
    }

    public GceEmulatorOptions Options => options;

    /// <summary>The emulator's time; <see cref="OffsetClock.Advance"/> skips ahead (a preemption's 30 s, say).</summary>
    public OffsetClock Clock { get; } = new();

    /// <summary>The Compute API root to configure clients with, like https://compute.googleapis.com/compute/v1/.</summary>
    public Uri ComputeEndpoint => new(server.BaseUri, "compute/v1/");

    public Uri TokenUri => new(server.BaseUri, "token");

    public IReadOnlyList<RecordedRequest> Requests => server.Requests;

    /// <summary>Access tokens issued so far by the OAuth endpoint.</summary>
    public int TokensIssued => tokens.Issued;

    /// <summary>The error code of a stockout: ZONE_RESOURCE_POOL_EXHAUSTED (default) or ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS.</summary>
    public string StockoutCode { get; set; } = "ZONE_RESOURCE_POOL_EXHAUSTED";

    /// <summary>Every IAM permission a call has been checked for so far.</summary>
    public IReadOnlySet<string> PermissionsChecked
    {
        get
        {
            lock (gate)
                return checkedPermissions.ToHashSet();
        }
    }

    /// <summary>Most live instances the project may have, over all zones; more is QUOTA_EXCEEDED (quota INSTANCES).</summary>
    public int InstanceQuota { get; set; } = int.MaxValue;

    /// <summary>A service account key file (JSON) for this emulator: its token_uri is <see cref="TokenUri"/>, its key is trusted here.</summary>
    public string CreateServiceAccountKey(string email = "skyserve-provider@skyserve-test.iam.gserviceaccount.com") =>
        tokens.CreateKey(options.Project, email, TokenUri);

    /// <summary>How many more instances of the market fit in the zone (live ones count against it); unset is unlimited.</summary>
    public void SetCapacity(string zone, bool spot, int instances)
    {
        lock (gate)
            capacity[(zone, spot)] = instances;
    }

    /// <summary>Callers lose this IAM permission (e.g. compute.instances.create): calls needing it get 403.</summary>
    public void Deny(string permission)
    {
        lock (gate)
            denied.Add(permission);
    }

    /// <summary>Every access token issued so far stops working (401), as after a key is deleted.</summary>
    public void RevokeTokens() => tokens.RevokeAll();

    /// <summary>The next <paramref name="times"/> API calls whose method and path match fail with this error.</summary>
    public void FailNext(int status, string reason, string message, string method = "", string pathContains = "", int times = 1, int? retryAfterSeconds = null)
    {
        failures.Add(new ScriptedFailures.Failure(method, pathContains, status, reason, message, retryAfterSeconds), times);
    }

    /// <summary>Spot capacity is reclaimed: GCE records a compute.instances.preempted operation and stops the VM after the notice.</summary>
    public void Preempt(string zone, string name)
    {
        lock (gate)
        {
            Sweep();
            if (!instances.TryGetValue((zone, name), out var instance) || !instance.Spot)
                throw new InvalidOperationException($"no spot instance {zone}/{name} to preempt");
            var now = Clock.GetUtcNow();
            instance.StopAt = now + options.PreemptionNotice;
            var operation = NewOperation(zone, "compute.instances.preempted", instance, "system", now, now, requestId: null);
            operation.StatusMessage = "Instance was preempted.";
        }
    }

    /// <summary>The instance as the API shows it now, or null.</summary>
    public JsonObject? Instance(string zone, string name)
    {
        lock (gate)
        {
            Sweep();
            return instances.TryGetValue((zone, name), out var instance) ? Render(instance) : null;
        }
    }

    /// <summary>Every live VM (PROVISIONING, STAGING or RUNNING, not yet stopped by a preemption) with its primary internal IP.</summary>
    public IReadOnlyList<(string Zone, string Name, bool Spot, string Address)> LiveMachines()
    {
        lock (gate)
        {
            Sweep();
            var now = Clock.GetUtcNow();
            return instances.Values.Where(i => i.IsLive(now) && (i.StopAt is null || i.StopAt > now))
                .Select(i => (i.Zone, i.Name, i.Spot, i.Resource["networkInterfaces"]?[0]?["networkIP"]?.GetValue<string>() ?? ""))
                .ToList();
        }
    }

    public int LiveInstances
    {
        get
        {
            lock (gate)
            {
                Sweep();
                return instances.Values.Count(i => i.IsLive(Clock.GetUtcNow()));
            }
        }
    }

    private void Map(WebApplication app)
    {
        app.MapPost("/token", context => tokens.HandleAsync(context, TokenUri));
        var api = "/compute/v1/projects/{project}";
        app.MapPost(api + "/zones/{zone}/instances", context => Call(context, InsertAsync));
        app.MapGet(api + "/zones/{zone}/instances/{name}", context => Call(context, GetAsync));
        app.MapDelete(api + "/zones/{zone}/instances/{name}", context => Call(context, DeleteAsync));
        app.MapGet(api + "/aggregated/instances", context => Call(context, ListInstancesAsync));
        app.MapGet(api + "/zones/{zone}/operations/{operation}", context => Call(context, GetOperationAsync));
        app.MapPost(api + "/zones/{zone}/operations/{operation}/wait", context => Call(context, WaitOperationAsync));
        app.MapGet(api + "/aggregated/operations", context => Call(context, ListOperationsAsync));
        app.MapFallback(context => ErrorAsync(context, 404, "notFound", $"The requested URL {context.Request.Path} was not found on this server."));
    }

    /// <summary>What every API call goes through: authentication, the project, scripted failures.</summary>
    private async Task Call(HttpContext context, Func<HttpContext, string, Task> handler)
    {
        var account = tokens.Authenticate(context.Request);
        if (account is null)
        {
            await ErrorAsync(context, 401, "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
                status: "UNAUTHENTICATED");
            return;
        }
        var project = (string)context.Request.RouteValues["project"]!;
        if (project != options.Project)
        {
            await ErrorAsync(context, 404, "notFound", $"The resource 'projects/{project}' was not found");
            return;
        }
        if (context.Request.RouteValues["zone"] is string zone && !options.Zones.Contains(zone))
        {
            await ErrorAsync(context, 400, "invalid", $"Invalid value for field 'zone': '{zone}'. Unknown zone.");
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
        await handler(context, account);
    }

    private async Task InsertAsync(HttpContext context, string account)
    {
        var zone = (string)context.Request.RouteValues["zone"]!;
        JsonObject body;
        try
        {
            body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NullReferenceException)
        {
            await ErrorAsync(context, 400, "parseError", "This API does not support parsing form-encoded input.");
            return;
        }
        var name = body["name"]?.GetValue<string>() ?? "";
        var missing = InsertPermissions(body).FirstOrDefault(p => !Allowed(p));
        if (missing is not null)
        {
            await ErrorAsync(context, 403, "forbidden", $"Required '{missing}' permission for 'projects/{options.Project}/zones/{zone}/instances/{name}'");
            return;
        }
        if (Validate(body, zone) is { } invalid)
        {
            await ErrorAsync(context, 400, "invalid", invalid);
            return;
        }
        var requestId = context.Request.Query["requestId"].ToString();
        if (requestId.Length > 0 && !Guid.TryParse(requestId, out _))
        {
            await ErrorAsync(context, 400, "invalid", $"Invalid value for field 'requestId': '{requestId}'. The request id must be a valid UUID with the exception that zero UUID is not supported.");
            return;
        }
        EmulatedOperation operation;
        lock (gate)
        {
            if (requestId.Length > 0 && byRequestId.TryGetValue(requestId, out var earlier))
                operation = earlier; // GCE ignores a repeated request: the first one's operation is the answer
            else if (instances.ContainsKey((zone, name)))
                operation = null!;
            else
                operation = Insert(zone, name, body, account, requestId);
        }
        if (operation is null)
        {
            await ErrorAsync(context, 409, "alreadyExists", $"The resource 'projects/{options.Project}/zones/{zone}/instances/{name}' already exists");
            return;
        }
        await WriteAsync(context, RenderLocked(operation));
    }

    private EmulatedOperation Insert(string zone, string name, JsonObject body, string account, string requestId)
    {
        var now = Clock.GetUtcNow();
        var spot = body["scheduling"]?["provisioningModel"]?.GetValue<string>() == "SPOT" || body["scheduling"]?["preemptible"]?.GetValue<bool>() == true;
        var done = now + 2 * options.Step;
        var live = instances.Values.Where(i => i.IsLive(now)).ToList();
        var region = zone[..zone.LastIndexOf('-')];
        var target = new EmulatedInstance(zone, name, Enrich(zone, body), now, spot);
        if (live.Count >= InstanceQuota)
        {
            var operation = NewOperation(zone, "insert", target, account, now, done, requestId);
            operation.Fail(403, "FORBIDDEN", "QUOTA_EXCEEDED", $"Quota 'INSTANCES' exceeded.  Limit: {InstanceQuota}.0 in region {region}.");
            return operation;
        }
        if (capacity.TryGetValue((zone, spot), out var limit) && live.Count(i => i.Zone == zone && i.Spot == spot) >= limit)
        {
            var operation = NewOperation(zone, "insert", target, account, now, done, requestId);
            operation.Fail(503, "SERVICE UNAVAILABLE", StockoutCode,
                $"The zone 'projects/{options.Project}/zones/{zone}' does not have enough resources available to fulfill the request.  Try a different zone, or try again later.");
            return operation;
        }
        instances[(zone, name)] = target;
        return NewOperation(zone, "insert", target, account, now, done, requestId);
    }

    private async Task GetAsync(HttpContext context, string account)
    {
        var (zone, name) = ((string)context.Request.RouteValues["zone"]!, (string)context.Request.RouteValues["name"]!);
        if (!Allowed("compute.instances.get"))
        {
            await ErrorAsync(context, 403, "forbidden", $"Required 'compute.instances.get' permission for 'projects/{options.Project}/zones/{zone}/instances/{name}'");
            return;
        }
        JsonObject? rendered;
        lock (gate)
            rendered = instances.TryGetValue((zone, name), out var instance) ? Render(instance) : null;
        if (rendered is null)
            await ErrorAsync(context, 404, "notFound", $"The resource 'projects/{options.Project}/zones/{zone}/instances/{name}' was not found");
        else
            await WriteAsync(context, rendered);
    }

    private async Task DeleteAsync(HttpContext context, string account)
    {
        var (zone, name) = ((string)context.Request.RouteValues["zone"]!, (string)context.Request.RouteValues["name"]!);
        if (!Allowed("compute.instances.delete"))
        {
            await ErrorAsync(context, 403, "forbidden", $"Required 'compute.instances.delete' permission for 'projects/{options.Project}/zones/{zone}/instances/{name}'");
            return;
        }
        var requestId = context.Request.Query["requestId"].ToString();
        JsonObject? rendered = null;
        lock (gate)
        {
            if (requestId.Length > 0 && byRequestId.TryGetValue(requestId, out var earlier))
                rendered = Render(earlier);
            else if (instances.TryGetValue((zone, name), out var instance))
            {
                var now = Clock.GetUtcNow();
                instance.DeleteAt ??= now + 2 * options.Step;
                rendered = Render(NewOperation(zone, "delete", instance, account, now, instance.DeleteAt.Value, requestId));
            }
        }
        if (rendered is null)
            await ErrorAsync(context, 404, "notFound", $"The resource 'projects/{options.Project}/zones/{zone}/instances/{name}' was not found");
        else
            await WriteAsync(context, rendered);
    }

    private async Task ListInstancesAsync(HttpContext context, string account)
    {
        if (!Allowed("compute.instances.list"))
        {
            await ErrorAsync(context, 403, "forbidden", $"Required 'compute.instances.list' permission for 'projects/{options.Project}'");
            return;
        }
        await ListAsync(context, "compute#instanceAggregatedList", "instances", () => instances.Values.Select(i => (i.Zone, Render(i))));
    }

    private async Task ListOperationsAsync(HttpContext context, string account)
    {
        if (!Allowed("compute.globalOperations.list"))
        {
            await ErrorAsync(context, 403, "forbidden", $"Required 'compute.globalOperations.list' permission for 'projects/{options.Project}'");
            return;
        }
        await ListAsync(context, "compute#operationAggregatedList", "operations", () => operations.Select(o => (o.Zone, Render(o))));
    }

    /// <summary>aggregatedList: filter, order by zone and name, cut pages of maxResults, and say which zones had nothing on this page.</summary>
    private async Task ListAsync(HttpContext context, string kind, string collection, Func<IEnumerable<(string Zone, JsonObject Item)>> all)
    {
        var query = context.Request.Query;
        var filter = GceFilter.Parse(query["filter"]);
        if (filter is null)
        {
            await ErrorAsync(context, 400, "invalid", $"Invalid value for field 'filter': '{query["filter"]}'. Invalid list filter expression.");
            return;
        }
        var pageSize = int.TryParse(query["maxResults"], out var m) ? Math.Clamp(m, 0, options.MaxPageSize) : options.MaxPageSize;
        var offset = 0;
        if (query["pageToken"].ToString() is { Length: > 0 } token
            && !int.TryParse(Encoding.UTF8.GetString(Convert.FromBase64String(token)).Replace("offset:", "", StringComparison.Ordinal), out offset))
        {
            await ErrorAsync(context, 400, "invalid", "Invalid value for field 'pageToken'.");
            return;
        }
        List<(string Zone, JsonObject Item)> matched;
        lock (gate)
            matched = all().Where(x => filter.Matches(x.Item)).OrderBy(x => x.Zone, StringComparer.Ordinal)
                .ThenBy(x => x.Item["name"]?.ToString(), StringComparer.Ordinal).ToList();
        var page = matched.Skip(offset).Take(pageSize).ToList();
        var items = new JsonObject();
        foreach (var zone in options.Zones.Order(StringComparer.Ordinal))
        {
            var inZone = page.Where(x => x.Zone == zone).Select(x => (JsonNode)x.Item).ToArray();
            items[$"zones/{zone}"] = inZone.Length > 0
                ? new JsonObject { [collection] = new JsonArray(inZone) }
                : new JsonObject
                {
                    ["warning"] = new JsonObject
                    {
                        ["code"] = "NO_RESULTS_ON_PAGE",
                        ["message"] = $"There are no results for scope 'zones/{zone}' on this page.",
                        ["data"] = new JsonArray(new JsonObject { ["key"] = "scope", ["value"] = $"zones/{zone}" }),
                    },
                };
        }
        var result = new JsonObject
        {
            ["kind"] = kind,
            ["id"] = $"projects/{options.Project}/aggregated/{collection}",
            ["items"] = items,
            ["selfLink"] = $"{ComputeEndpoint}projects/{options.Project}/aggregated/{collection}",
        };
        if (offset + page.Count < matched.Count)
            result["nextPageToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes($"offset:{offset + page.Count}"));
        await WriteAsync(context, result);
    }

    private async Task GetOperationAsync(HttpContext context, string account)
    {
        var operation = await FindOperationAsync(context);
        if (operation is not null)
            await WriteAsync(context, RenderLocked(operation));
    }

    /// <summary>operations.wait: returns when the operation is DONE or after two minutes, whichever is first.</summary>
    private async Task WaitOperationAsync(HttpContext context, string account)
    {
        var operation = await FindOperationAsync(context);
        if (operation is null)
            return;
        var remaining = operation.DoneAt - Clock.GetUtcNow();
        if (remaining > TimeSpan.Zero)
            await Task.Delay(remaining < TimeSpan.FromMinutes(2) ? remaining : TimeSpan.FromMinutes(2), context.RequestAborted);
        await WriteAsync(context, RenderLocked(operation));
    }

    private async Task<EmulatedOperation?> FindOperationAsync(HttpContext context)
    {
        var (zone, name) = ((string)context.Request.RouteValues["zone"]!, (string)context.Request.RouteValues["operation"]!);
        if (!Allowed("compute.zoneOperations.get"))
        {
            await ErrorAsync(context, 403, "forbidden", $"Required 'compute.zoneOperations.get' permission for 'projects/{options.Project}/zones/{zone}/operations/{name}'");
            return null;
        }
        EmulatedOperation? operation;
        lock (gate)
            operation = operations.FirstOrDefault(o => o.Zone == zone && o.Name == name);
        if (operation is null)
            await ErrorAsync(context, 404, "notFound", $"The resource 'projects/{options.Project}/zones/{zone}/operations/{name}' was not found");
        return operation;
    }

    /// <summary>The permissions GCE checks for an insert with this body.</summary>
    private static IEnumerable<string> InsertPermissions(JsonObject body)
    {
        yield return "compute.instances.create";
        yield return "compute.disks.create";
        if (body["disks"]?.AsArray().Any(d => d?["initializeParams"]?["sourceImage"] is not null) == true)
            yield return "compute.images.useReadOnly";
        foreach (var nic in body["networkInterfaces"]?.AsArray() ?? [])
        {
            yield return nic?["subnetwork"] is not null ? "compute.subnetworks.use" : "compute.networks.use";
            if (nic?["accessConfigs"]?.AsArray().Count > 0)
                yield return nic["subnetwork"] is not null ? "compute.subnetworks.useExternalIp" : "compute.networks.useExternalIp";
        }
        if (body["metadata"]?["items"]?.AsArray().Count > 0)
            yield return "compute.instances.setMetadata";
        if (body["labels"]?.AsObject().Count > 0)
            yield return "compute.instances.setLabels";
        if (body["serviceAccounts"]?.AsArray().Count > 0)
        {
            yield return "compute.instances.setServiceAccount";
            yield return "iam.serviceAccounts.actAs";
        }
    }

    /// <summary>GCE's checks of a new disk: a known type in the instance's zone, a size in GB, provisioned IOPS only (and always) for pd-extreme.</summary>
    private static string? DiskProblem(JsonObject? parameters, string zone)
    {
        if (parameters is null)
            return null;
        var size = parameters["diskSizeGb"]?.GetValue<string>();
        if (size is not null && !(long.TryParse(size, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var gb) && gb is >= 10 and <= 65536))
            return $"Invalid value for field 'resource.disks[0].initializeParams.diskSizeGb': '{size}'. Disk size must be between 10 and 65536 GB.";
        var diskType = parameters["diskType"]?.GetValue<string>() ?? $"zones/{zone}/diskTypes/pd-standard";
        var typeName = diskType[(diskType.LastIndexOf('/') + 1)..];
        if (!diskType.Contains($"zones/{zone}/diskTypes/", StringComparison.Ordinal) || !KnownDiskTypes.Contains(typeName))
            return $"Invalid value for field 'resource.disks[0].initializeParams.diskType': '{diskType}'. Disk type with name '{typeName}' does not exist in zone '{zone}'.";
        var iops = parameters["provisionedIops"];
        if (typeName == "pd-extreme" && iops is null)
            return "Invalid value for field 'resource.disks[0].initializeParams.provisionedIops': ''. pd-extreme disks require provisioned IOPS.";
        if (iops is not null && typeName is not ("pd-extreme" or "hyperdisk-balanced" or "hyperdisk-extreme"))
            return $"Invalid value for field 'resource.disks[0].initializeParams.provisionedIops': '{iops}'. {typeName} disks do not take provisioned IOPS.";
        return null;
    }

    private static readonly HashSet<string> KnownDiskTypes =
        ["pd-standard", "pd-balanced", "pd-ssd", "pd-extreme", "hyperdisk-balanced", "hyperdisk-extreme", "hyperdisk-throughput"];

    /// <summary>The checks GCE makes of an Instance resource that this emulator can make; null when it is acceptable.</summary>
    private string? Validate(JsonObject body, string zone)
    {
        var name = body["name"]?.GetValue<string>() ?? "";
        if (!InstanceName().IsMatch(name))
            return $"Invalid value for field 'resource.name': '{name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{{0,61}}[a-z0-9])?)'";
        var machineType = body["machineType"]?.GetValue<string>() ?? "";
        var typeName = machineType[(machineType.LastIndexOf('/') + 1)..];
        if (!machineType.Contains($"zones/{zone}/machineTypes/", StringComparison.Ordinal) || !options.MachineTypes.Contains(typeName))
            return $"Invalid value for field 'resource.machineType': '{machineType}'. Machine type with name '{typeName}' does not exist in zone '{zone}'.";
        var disks = body["disks"]?.AsArray() ?? [];
        if (!disks.Any(d => d?["boot"]?.GetValue<bool>() == true && d["initializeParams"]?["sourceImage"] is not null))
            return "Invalid value for field 'resource.disks': ''. Boot disk must be specified.";
        foreach (var disk in disks.OfType<JsonObject>())
        {
            if (DiskProblem(disk["initializeParams"] as JsonObject, zone) is { } problem)
                return problem;
        }
        if (body["networkInterfaces"]?.AsArray() is not { Count: > 0 })
            return "Invalid value for field 'resource.networkInterfaces': ''. At least one network interface is required.";
        var scheduling = body["scheduling"]?.AsObject();
        var model = scheduling?["provisioningModel"]?.GetValue<string>();
        var onHostMaintenance = scheduling?["onHostMaintenance"]?.GetValue<string>() ?? "MIGRATE";
        if (model is not (null or "STANDARD" or "SPOT"))
            return $"Invalid value for field 'resource.scheduling.provisioningModel': '{model}'.";
        if (model == "SPOT")
        {
            if (scheduling?["automaticRestart"]?.GetValue<bool>() != false)
                return "Invalid value for field 'resource.scheduling.automaticRestart': 'true'. Spot VMs must have automaticRestart set to false.";
            if (onHostMaintenance != "TERMINATE")
                return $"Invalid value for field 'resource.scheduling.onHostMaintenance': '{onHostMaintenance}'. Spot VMs must have onHostMaintenance set to TERMINATE.";
            if (scheduling?["instanceTerminationAction"]?.GetValue<string>() is { } action and not ("STOP" or "DELETE"))
                return $"Invalid value for field 'resource.scheduling.instanceTerminationAction': '{action}'.";
        }
        var hasGpus = body["guestAccelerators"]?.AsArray().Count > 0 || Regex.IsMatch(typeName, "^(a2|a3|g2)-");
        if (hasGpus && onHostMaintenance != "TERMINATE")
            return "Instances with guest accelerators do not support live migration.";
        foreach (var (key, value) in body["labels"]?.AsObject() ?? [])
        {
            if (!LabelKey().IsMatch(key) || !LabelValue().IsMatch(value?.GetValue<string>() ?? ""))
                return $"Invalid value for field 'resource.labels': '{key}'. Label keys must start with a lowercase letter and contain only lowercase letters, numbers, underscores and dashes; values may contain the same characters, at most 63.";
        }
        var items = body["metadata"]?["items"]?.AsArray() ?? [];
        if (items.Sum(i => (i?["key"]?.ToString().Length ?? 0) + (i?["value"]?.ToString().Length ?? 0)) > 512 * 1024)
            return "Invalid value for field 'resource.metadata': ''. Metadata total size exceeds 512 KB.";
        return null;
    }

    /// <summary>The Instance resource as GCE stores it: server-set fields added, relative URLs made absolute.</summary>
    private JsonObject Enrich(string zone, JsonObject body)
    {
        var resource = body.DeepClone().AsObject();
        var region = zone[..zone.LastIndexOf('-')];
        resource["kind"] = "compute#instance";
        resource["id"] = RandomId();
        resource["creationTimestamp"] = Timestamp(Clock.GetUtcNow());
        resource["zone"] = Url($"zones/{zone}");
        resource["machineType"] = Url(body["machineType"]!.GetValue<string>());
        resource["selfLink"] = Url($"zones/{zone}/instances/{body["name"]}");
        resource["labelFingerprint"] = Fingerprint(body["labels"]?.ToJsonString() ?? "");
        var index = 0;
        foreach (var nic in resource["networkInterfaces"]!.AsArray().OfType<JsonObject>())
        {
            nic["kind"] = "compute#networkInterface";
            nic["name"] = $"nic{index++}";
            nic["network"] = Url(nic["network"]?.GetValue<string>() ?? "global/networks/default");
            nic["subnetwork"] = Url(nic["subnetwork"]?.GetValue<string>() ?? $"regions/{region}/subnetworks/default");
            nic["networkIP"] = $"{options.AddressPrefix}.{nextIp / 250}.{nextIp++ % 250 + 2}";
            nic["fingerprint"] = Fingerprint(nic["networkIP"]!.ToString());
        }
        var disks = new JsonArray();
        foreach (var disk in body["disks"]!.AsArray().OfType<JsonObject>())
        {
            var init = disk["initializeParams"]?.AsObject();
            disks.Add(new JsonObject
            {
                ["kind"] = "compute#attachedDisk",
                ["type"] = "PERSISTENT",
                ["mode"] = "READ_WRITE",
                ["source"] = Url($"zones/{zone}/disks/{body["name"]}"),
                ["deviceName"] = "persistent-disk-0",
                ["index"] = disks.Count,
                ["boot"] = disk["boot"]?.DeepClone(),
                ["autoDelete"] = disk["autoDelete"]?.DeepClone(),
                ["diskSizeGb"] = init?["diskSizeGb"]?.DeepClone() ?? "10",
            });
        }
        resource["disks"] = disks;
        if (resource["metadata"] is JsonObject metadata)
        {
            metadata["kind"] = "compute#metadata";
            metadata["fingerprint"] = Fingerprint(metadata.ToJsonString());
        }
        foreach (var accelerator in resource["guestAccelerators"]?.AsArray().OfType<JsonObject>() ?? [])
            accelerator["acceleratorType"] = Url(accelerator["acceleratorType"]!.GetValue<string>());
        return resource;
    }

    private JsonObject RenderLocked(EmulatedOperation operation)
    {
        lock (gate)
            return Render(operation);
    }

    private JsonObject Render(EmulatedInstance instance)
    {
        var now = Clock.GetUtcNow();
        var resource = instance.Resource.DeepClone().AsObject();
        resource["status"] = instance.Status(now, options.Step);
        if (instance.Status(now, options.Step) is "RUNNING" or "STOPPING")
            resource["lastStartTimestamp"] = Timestamp(instance.CreatedAt + 4 * options.Step);
        if (instance.StopAt is { } stop && stop <= now)
            resource["lastStopTimestamp"] = Timestamp(stop);
        return resource;
    }

    private JsonObject Render(EmulatedOperation operation)
    {
        var now = Clock.GetUtcNow();
        var status = now < operation.InsertedAt + options.Step && operation.DoneAt > operation.InsertedAt ? "PENDING"
            : now < operation.DoneAt ? "RUNNING" : "DONE";
        var json = new JsonObject
        {
            ["kind"] = "compute#operation",
            ["id"] = operation.Id,
            ["name"] = operation.Name,
            ["zone"] = Url($"zones/{operation.Zone}"),
            ["operationType"] = operation.Type,
            ["targetLink"] = Url($"zones/{operation.Zone}/instances/{operation.Target.Name}"),
            ["targetId"] = operation.Target.Resource["id"]?.DeepClone(),
            ["status"] = status,
            ["user"] = operation.User,
            ["progress"] = status == "DONE" ? 100 : 0,
            ["insertTime"] = Timestamp(operation.InsertedAt),
            ["selfLink"] = Url($"zones/{operation.Zone}/operations/{operation.Name}"),
        };
        if (operation.StatusMessage is not null)
            json["statusMessage"] = operation.StatusMessage;
        if (status != "PENDING")
            json["startTime"] = Timestamp(operation.InsertedAt + options.Step);
        if (status == "DONE")
        {
            json["endTime"] = Timestamp(operation.DoneAt);
            if (operation.ErrorCode is not null)
            {
                json["error"] = new JsonObject
                {
                    ["errors"] = new JsonArray(new JsonObject { ["code"] = operation.ErrorCode, ["message"] = operation.ErrorMessage }),
                };
                json["httpErrorStatusCode"] = operation.HttpStatus;
                json["httpErrorMessage"] = operation.HttpMessage;
            }
        }
        return json;
    }

    private EmulatedOperation NewOperation(string zone, string type, EmulatedInstance target, string user, DateTimeOffset now, DateTimeOffset done, string? requestId)
    {
        var operation = new EmulatedOperation(zone, $"operation-{now.ToUnixTimeMilliseconds()}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}",
            RandomId(), type, target, user, now, done);
        operations.Add(operation);
        if (!string.IsNullOrEmpty(requestId))
            byRequestId[requestId] = operation;
        return operation;
    }

    /// <summary>Carries out what time has decided: deleted and preempted instances go away.</summary>
    private void Sweep()
    {
        var now = Clock.GetUtcNow();
        foreach (var (key, instance) in instances.ToList())
        {
            if (instance.DeleteAt <= now)
                instances.Remove(key);
            else if (instance.StopAt <= now && instance.Resource["scheduling"]?["instanceTerminationAction"]?.GetValue<string>() == "DELETE")
                instances.Remove(key);
        }
    }

    private bool Allowed(string permission)
    {
        lock (gate)
        {
            checkedPermissions.Add(permission);
            return !denied.Contains(permission) && (options.Permissions is null || options.Permissions.Contains(permission));
        }
    }

    private string Url(string relative) => relative.StartsWith("http", StringComparison.Ordinal) ? relative
        : relative.StartsWith("projects/", StringComparison.Ordinal) ? $"{ComputeEndpoint}{relative}"
        : $"{ComputeEndpoint}projects/{options.Project}/{relative}";

    /// <summary>GCE writes timestamps in RFC 3339 with the Pacific offset, e.g. 2026-01-01T08:00:00.000-08:00.</summary>
    private static string Timestamp(DateTimeOffset at) =>
        at.ToOffset(TimeSpan.FromHours(-8)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    private static string RandomId() => (BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) >> 1).ToString(CultureInfo.InvariantCulture);

    private static string Fingerprint(string text) => Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text))[..8]);

    private static Task WriteAsync(HttpContext context, JsonObject json)
    {
        context.Response.ContentType = "application/json; charset=UTF-8";
        return context.Response.WriteAsync(json.ToJsonString());
    }

    private static Task ErrorAsync(HttpContext context, int code, string reason, string message, string? status = null)
    {
        context.Response.StatusCode = code;
        var error = new JsonObject
        {
            ["code"] = code,
            ["message"] = message,
            ["errors"] = new JsonArray(new JsonObject { ["message"] = message, ["domain"] = reason is "rateLimitExceeded" ? "usageLimits" : "global", ["reason"] = reason }),
            ["status"] = status ?? code switch
            {
                400 => "INVALID_ARGUMENT",
                401 => "UNAUTHENTICATED",
                403 => "PERMISSION_DENIED",
                404 => "NOT_FOUND",
                409 => "ALREADY_EXISTS",
                429 => "RESOURCE_EXHAUSTED",
                503 => "UNAVAILABLE",
                _ => "INTERNAL",
            },
        };
        return WriteAsync(context, new JsonObject { ["error"] = error });
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();

    [GeneratedRegex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex InstanceName();

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,62}$")]
    private static partial Regex LabelKey();

    [GeneratedRegex("^[a-z0-9_-]{0,63}$")]
    private static partial Regex LabelValue();

    private sealed class EmulatedInstance(string zone, string name, JsonObject resource, DateTimeOffset createdAt, bool spot)
    {
        public string Zone { get; } = zone;
        public string Name { get; } = name;
        public JsonObject Resource { get; } = resource;
        public DateTimeOffset CreatedAt { get; } = createdAt;
        public bool Spot { get; } = spot;
        public DateTimeOffset? DeleteAt { get; set; }
        public DateTimeOffset? StopAt { get; set; }

        public bool IsLive(DateTimeOffset now) => Status(now, TimeSpan.Zero) is "PROVISIONING" or "STAGING" or "RUNNING";

        public string Status(DateTimeOffset now, TimeSpan step) =>
            DeleteAt is not null ? "STOPPING"
            : StopAt is { } stop ? (now < stop ? "STOPPING" : "TERMINATED")
            : now < CreatedAt + 2 * step ? "PROVISIONING" // while the insert operation runs
            : now < CreatedAt + 4 * step ? "STAGING"
            : "RUNNING";
    }

    private sealed class EmulatedOperation(string zone, string name, string id, string type, EmulatedInstance target, string user,
        DateTimeOffset insertedAt, DateTimeOffset doneAt)
    {
        public string Zone { get; } = zone;
        public string Name { get; } = name;
        public string Id { get; } = id;
        public string Type { get; } = type;
        public EmulatedInstance Target { get; } = target;
        public string User { get; } = user;
        public DateTimeOffset InsertedAt { get; } = insertedAt;
        public DateTimeOffset DoneAt { get; } = doneAt;
        public string? StatusMessage { get; set; }
        public string? ErrorCode { get; private set; }
        public string? ErrorMessage { get; private set; }
        public int HttpStatus { get; private set; }
        public string? HttpMessage { get; private set; }

        public void Fail(int httpStatus, string httpMessage, string code, string message) =>
            (HttpStatus, HttpMessage, ErrorCode, ErrorMessage) = (httpStatus, httpMessage, code, message);
    }
}
