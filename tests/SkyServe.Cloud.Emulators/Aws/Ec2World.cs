using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using static SkyServe.Cloud.Emulators.Aws.Ec2Responses;

namespace SkyServe.Cloud.Emulators.Aws;

/// <summary>
/// The emulated account's EC2 state and the actions on it. Time moves with the emulator's clock: pending
/// instances start, reclaimed spot instances end at their deadline, shutting-down instances terminate.
/// </summary>
public sealed partial class Ec2World
{
    private readonly Ec2EmulatorOptions options;
    private readonly TimeProvider time;
    private readonly EmulatedQueue queue;
    private readonly Lock gate = new();
    private readonly List<EmulatedInstance> instances = [];
    private readonly Dictionary<string, (string Fingerprint, EmulatedInstance Instance)> clientTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Type, string Zone), List<(DateTimeOffset At, decimal Price)>> spotPrices = [];
    private readonly Dictionary<string, int> spotCapacity = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> onDemandCapacity = new(StringComparer.Ordinal);
    private readonly Random random = new(20150830);
    private int? onDemandVcpuLimit;
    private int? spotVcpuLimit;
    private int addresses;

    public Ec2World(Ec2EmulatorOptions options, TimeProvider time, EmulatedQueue queue)
    {
        this.options = options;
        this.time = time;
        this.queue = queue;
        var start = time.GetUtcNow() - TimeSpan.FromHours(1);
        foreach (var (type, zone, price) in options.SpotPrices)
            spotPrices[(type, zone)] = [(start, price)];
    }

    public IReadOnlyList<EmulatedInstance> Instances
    {
        get
        {
            lock (gate)
            {
                Advance();
                return instances.ToList();
            }
        }
    }

    // ---- scripting ----

    public void SetSpotCapacity(string zone, int? capacity)
    {
        lock (gate)
        {
            Advance();
            if (capacity is null)
            {
                spotCapacity.Remove(zone);
                return;
            }
            spotCapacity[zone] = capacity.Value;
            // Too many spot instances for the new capacity: the newest surplus ones are reclaimed, with warning.
            var running = instances.Where(i => i.Spot && i.Zone == zone && i.IsLive && i.NoticeDeadline is null)
                .OrderByDescending(i => i.LaunchTime).ToList();
            foreach (var instance in running.Take(Math.Max(0, running.Count - capacity.Value)))
                WarnLocked(instance, options.SpotNoticeLead);
        }
    }

    public void SetOnDemandCapacity(string zone, int? capacity)
    {
        lock (gate)
        {
            if (capacity is null)
                onDemandCapacity.Remove(zone);
            else
                onDemandCapacity[zone] = capacity.Value;
        }
    }

    public void SetVcpuLimits(int? onDemand, int? spot)
    {
        lock (gate)
        {
            onDemandVcpuLimit = onDemand;
            spotVcpuLimit = spot;
        }
    }

    public void SetSpotPrice(string instanceType, string zone, decimal price)
    {
        lock (gate)
        {
            if (!spotPrices.TryGetValue((instanceType, zone), out var history))
                spotPrices[(instanceType, zone)] = history = [];
            history.Add((time.GetUtcNow(), price));
        }
    }

    /// <summary>EC2 reclaims a spot instance: the interruption warning goes out now, the instance ends at now + lead.</summary>
    public void Reclaim(string instanceId, TimeSpan? lead = null)
    {
        lock (gate)
        {
            Advance();
            var instance = instances.FirstOrDefault(i => i.InstanceId == instanceId && i.IsLive)
                ?? throw new InvalidOperationException($"{instanceId} is not a live instance");
            if (!instance.Spot)
                throw new InvalidOperationException($"{instanceId} is on demand; only spot instances are reclaimed");
            WarnLocked(instance, lead ?? options.SpotNoticeLead);
        }
    }

    private void WarnLocked(EmulatedInstance instance, TimeSpan lead)
    {
        var now = time.GetUtcNow();
        instance.NoticeDeadline = now + lead;
        // The EventBridge event, as an EventBridge rule delivers it to SQS.
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["version"] = "0",
            ["id"] = Guid.NewGuid().ToString(),
            ["detail-type"] = "EC2 Spot Instance Interruption Warning",
            ["source"] = "aws.ec2",
            ["account"] = options.AccountId,
            ["time"] = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["region"] = instance.Region,
            ["resources"] = new[] { $"arn:aws:ec2:{instance.Zone}:instance/{instance.InstanceId}" },
            ["detail"] = new Dictionary<string, string> { ["instance-id"] = instance.InstanceId, ["instance-action"] = "terminate" },
        });
        queue.Send(body);
    }

    // ---- time ----

    private void Advance()
    {
        var now = time.GetUtcNow();
        foreach (var i in instances)
        {
            if (i.State == "pending" && now >= i.LaunchTime + options.PendingFor)
                i.State = "running";
            if (i.IsLive && i.NoticeDeadline <= now)
            {
                i.State = "shutting-down";
                i.ShutdownAt = i.NoticeDeadline;
                i.StateReasonCode = "Server.SpotInstanceTermination";
                i.StateReasonMessage = "Server.SpotInstanceTermination: Spot instance termination";
                i.Reason = "";
            }
            if (i.State == "shutting-down" && now >= i.ShutdownAt + options.ShuttingDownFor)
            {
                i.State = "terminated";
                i.TerminatedAt = i.ShutdownAt + options.ShuttingDownFor;
            }
        }
    }

    private bool Visible(EmulatedInstance i, DateTimeOffset now) =>
        i.State != "terminated" || now - i.TerminatedAt < options.TerminatedVisibleFor;

    // ---- actions ----

    public XElement Handle(string region, string action, QueryForm form, string requestId)
    {
        if (form["Version"] is not { } version)
            throw new Ec2Fault("MissingParameter", "The request must contain the parameter Version");
        if (version != Ec2Responses.Version)
            throw new Ec2Fault("NoSuchVersion", $"The requested version ({version}) of service AmazonEC2 does not exist");
        if (!options.Zones.Any(z => z.Region == region))
            throw new Ec2Fault("AuthFailure", $"The region '{region}' is not enabled for this account", HttpStatusCode.Unauthorized);
        lock (gate)
        {
            Advance();
            return action switch
            {
                "RunInstances" => RunInstances(region, form, requestId),
                "TerminateInstances" => TerminateInstances(region, form, requestId),
                "DescribeInstances" => DescribeInstances(region, form, requestId),
                "DescribeSpotPriceHistory" => DescribeSpotPriceHistory(region, form, requestId),
                "DescribeInstanceTypeOfferings" => DescribeInstanceTypeOfferings(region, form, requestId),
                "DescribeAvailabilityZones" => DescribeAvailabilityZones(region, requestId),
                _ => throw new Ec2Fault("InvalidAction", $"The action {action} is not valid for this web service."),
            };
        }
    }

    private XElement RunInstances(string region, QueryForm form, string requestId)
    {
        var token = form["ClientToken"];
        var fingerprint = form.Fingerprint("Action", "Version");
        if (token is not null)
        {
            if (token.Length > 64)
                throw new Ec2Fault("InvalidParameterValue", $"Value ({token}) for parameter clientToken is invalid. Length exceeds maximum of 64 characters.");
            if (clientTokens.TryGetValue(token, out var earlier))
            {
                if (earlier.Fingerprint != fingerprint)
                    throw new Ec2Fault("IdempotentParameterMismatch", "Arguments on this idempotent request are inconsistent with arguments used in previous request(s).");
                return Document("RunInstances", requestId, Reservation(earlier.Instance, [earlier.Instance]).Elements().ToArray());
            }
        }

        var imageId = form.Required("ImageId");
        if (!imageId.StartsWith("ami-", StringComparison.Ordinal))
            throw new Ec2Fault("InvalidAMIID.Malformed", $"Invalid id: \"{imageId}\" (expecting \"ami-...\")");
        if (!options.Images.Contains((region, imageId)))
            throw new Ec2Fault("InvalidAMIID.NotFound", $"The image id '[{imageId}]' does not exist");
        var type = form.Required("InstanceType");
        if (!options.InstanceTypes.TryGetValue(type, out var vcpus))
            throw new Ec2Fault("InvalidParameterValue", $"Invalid value '{type}' for InstanceType.");
        if (form.Int("MinCount") is not 1 || form.Int("MaxCount") is not 1)
            throw new Ec2Fault("InvalidParameterValue", "The emulator launches exactly one instance per call (MinCount = MaxCount = 1).");

        var zones = options.Zones.Where(z => z.Region == region).Select(z => z.Name).ToList();
        string zone;
        var subnetId = form["SubnetId"];
        if (subnetId is not null)
        {
            if (!subnetId.StartsWith("subnet-", StringComparison.Ordinal))
                throw new Ec2Fault("InvalidSubnetID.Malformed", $"Invalid id: \"{subnetId}\"");
            zone = options.Subnets.Where(s => s.SubnetId == subnetId && zones.Contains(s.Zone)).Select(s => s.Zone).FirstOrDefault()
                ?? throw new Ec2Fault("InvalidSubnetID.NotFound", $"The subnet ID '{subnetId}' does not exist");
            if (form["Placement.AvailabilityZone"] is { } placed && placed != zone)
                throw new Ec2Fault("InvalidParameterCombination", $"The subnet {subnetId} is in {zone}, not in {placed}.");
        }
        else
        {
            zone = form["Placement.AvailabilityZone"] ?? zones.First();
            if (!zones.Contains(zone))
                throw new Ec2Fault("InvalidParameterValue", $"Invalid availability zone: [{zone}]");
        }
        var groups = form.List("SecurityGroupId");
        foreach (var group in groups)
        {
            if (!group.StartsWith("sg-", StringComparison.Ordinal))
                throw new Ec2Fault("InvalidGroupId.Malformed", $"Invalid id: \"{group}\" (expecting \"sg-...\")");
            if (options.SecurityGroups.Count > 0 && !options.SecurityGroups.Contains(group))
                throw new Ec2Fault("InvalidGroup.NotFound", $"The security group '{group}' does not exist");
        }
        string? userData = null;
        if (form["UserData"] is { } encoded)
        {
            byte[] decoded;
            try
            {
                decoded = Convert.FromBase64String(encoded);
            }
            catch (FormatException)
            {
                throw new Ec2Fault("InvalidParameterValue", "Invalid BASE64 encoding of user data.");
            }
            if (decoded.Length > 16384)
                throw new Ec2Fault("InvalidParameterValue", "User data is limited to 16384 bytes");
            userData = Encoding.UTF8.GetString(decoded);
        }
        var tags = Tags(form);
        var volumes = EmulatedVolume.Parse(form);

        var market = form["InstanceMarketOptions.MarketType"];
        if (market is not (null or "spot"))
            throw new Ec2Fault("InvalidParameterValue", $"Value ({market}) for parameter InstanceMarketOptions.MarketType is invalid.");
        var spot = market == "spot";
        if (spot)
        {
            var requestType = form["InstanceMarketOptions.SpotOptions.SpotInstanceType"] ?? "one-time";
            var behavior = form["InstanceMarketOptions.SpotOptions.InstanceInterruptionBehavior"] ?? "terminate";
            if (requestType is not ("one-time" or "persistent"))
                throw new Ec2Fault("InvalidParameterValue", $"Value ({requestType}) for parameter SpotInstanceType is invalid.");
            if (behavior is not ("terminate" or "stop" or "hibernate"))
                throw new Ec2Fault("InvalidParameterValue", $"Value ({behavior}) for parameter InstanceInterruptionBehavior is invalid.");
            if (requestType == "one-time" && behavior != "terminate")
                throw new Ec2Fault("InvalidParameterCombination", "The one-time Spot Instance request does not support the stop and hibernate interruption behaviors.");
        }

        if (!options.TypeOfferings.Contains((type, zone)))
            throw new Ec2Fault("Unsupported",
                $"Your requested instance type ({type}) is not supported in your requested Availability Zone ({zone}). Please retry your request by not specifying an Availability Zone or choosing {string.Join(", ", options.TypeOfferings.Where(o => o.InstanceType == type && zones.Contains(o.Zone)).Select(o => o.Zone))}.");

        var live = instances.Where(i => i.IsLive).ToList();
        if (spot)
        {
            var limit = spotVcpuLimit;
            if (limit is not null && live.Where(i => i.Spot).Sum(i => i.VCpus) + vcpus > limit)
                throw new Ec2Fault("MaxSpotInstanceCountExceeded", "Max spot instance count exceeded");
            if (CurrentSpotPrice(type, zone) is not { } price)
                throw new Ec2Fault("InsufficientInstanceCapacity", "There is no Spot capacity available that matches your request.", HttpStatusCode.InternalServerError);
            if (form["InstanceMarketOptions.SpotOptions.MaxPrice"] is { } max
                && decimal.TryParse(max, NumberStyles.Number, CultureInfo.InvariantCulture, out var maxPrice) && maxPrice < price)
                throw new Ec2Fault("SpotMaxPriceTooLow",
                    $"Your Spot request price of {max} is lower than the minimum required Spot request fulfillment price of {price.ToString(CultureInfo.InvariantCulture)}.");
            if (spotCapacity.TryGetValue(zone, out var capacity)
                && live.Count(i => i.Spot && i.Zone == zone && i.NoticeDeadline is null) >= capacity)
                throw new Ec2Fault("InsufficientInstanceCapacity", "There is no Spot capacity available that matches your request.", HttpStatusCode.InternalServerError);
        }
        else
        {
            var limit = onDemandVcpuLimit;
            if (limit is not null && live.Where(i => !i.Spot).Sum(i => i.VCpus) + vcpus > limit)
                throw new Ec2Fault("VcpuLimitExceeded",
                    $"You have requested more vCPU capacity than your current vCPU limit of {limit} allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.");
            if (onDemandCapacity.TryGetValue(zone, out var capacity) && live.Count(i => !i.Spot && i.Zone == zone) >= capacity)
                throw new Ec2Fault("InsufficientInstanceCapacity",
                    $"We currently do not have sufficient {type} capacity in the Availability Zone you requested ({zone}). Our system will be working on provisioning additional capacity. You can currently get {type} capacity by not specifying an Availability Zone in your request or choosing {string.Join(", ", zones.Where(z => z != zone))}.",
                    HttpStatusCode.InternalServerError);
        }

        var now = time.GetUtcNow();
        var instance = new EmulatedInstance
        {
            InstanceId = "i-" + Hex(17),
            ReservationId = "r-" + Hex(17),
            Region = region,
            Zone = zone,
            InstanceType = type,
            ImageId = imageId,
            VCpus = vcpus,
            Spot = spot,
            LaunchTime = now,
            PrivateIpAddress = $"{options.AddressPrefix}.{options.Zones.FindIndex(z => z.Name == zone)}.{++addresses / 250}.{addresses % 250 + 4}",
            SubnetId = subnetId,
            ClientToken = token,
            SpotInstanceRequestId = spot ? "sir-" + Hex(8) : null,
            KeyName = form["KeyName"],
            IamInstanceProfile = form["IamInstanceProfile.Arn"] ?? form["IamInstanceProfile.Name"],
            SecurityGroupIds = groups,
            UserData = userData,
            Tags = tags,
            Volumes = volumes,
        };
        instances.Add(instance);
        if (token is not null)
            clientTokens[token] = (fingerprint, instance);
        return Document("RunInstances", requestId, Ec2Responses.Reservation(instance.ReservationId, options.AccountId, [instance]).Elements().ToArray());
    }

    private XElement Reservation(EmulatedInstance first, IEnumerable<EmulatedInstance> members) =>
        Ec2Responses.Reservation(first.ReservationId, options.AccountId, members);

    private static Dictionary<string, string> Tags(QueryForm form)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var n in form.Indexes("TagSpecification"))
        {
            var resource = form.Required($"TagSpecification.{n}.ResourceType");
            if (resource is not ("instance" or "volume" or "spot-instances-request" or "network-interface"))
                throw new Ec2Fault("InvalidParameterValue", $"'{resource}' is not a valid taggable resource type for this operation.");
            foreach (var m in form.Indexes($"TagSpecification.{n}.Tag"))
            {
                var key = form.Required($"TagSpecification.{n}.Tag.{m}.Key");
                var value = form[$"TagSpecification.{n}.Tag.{m}.Value"] ?? "";
                if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase) || key.Length > 128 || value.Length > 256)
                    throw new Ec2Fault("InvalidParameterValue", $"Tag key '{key}' or its value is not allowed.");
                if (resource == "instance")
                    tags[key] = value;
            }
        }
        return tags;
    }

    private XElement TerminateInstances(string region, QueryForm form, string requestId)
    {
        var ids = form.List("InstanceId");
        if (ids.Count == 0)
            throw new Ec2Fault("MissingParameter", "The request must contain the parameter InstanceId");
        var found = Find(region, ids);
        var now = time.GetUtcNow();
        var items = new List<XElement>();
        foreach (var instance in found)
        {
            var previous = instance.State;
            if (instance.IsLive)
            {
                instance.State = "shutting-down";
                instance.ShutdownAt = now;
                instance.StateReasonCode = "Client.UserInitiatedShutdown";
                instance.StateReasonMessage = "Client.UserInitiatedShutdown: User initiated shutdown";
                instance.Reason = $"User initiated ({now.UtcDateTime:yyyy-MM-dd HH:mm:ss} GMT)";
            }
            items.Add(E("item", E("instanceId", instance.InstanceId), State("currentState", instance.State), State("previousState", previous)));
        }
        Advance();
        return Document("TerminateInstances", requestId, Set("instancesSet", items));
    }

    private List<EmulatedInstance> Find(string region, IReadOnlyList<string> ids)
    {
        var now = time.GetUtcNow();
        foreach (var id in ids)
            if (!InstanceId().IsMatch(id))
                throw new Ec2Fault("InvalidInstanceID.Malformed", $"Invalid id: \"{id}\"");
        var found = ids.Select(id => instances.FirstOrDefault(i => i.InstanceId == id && i.Region == region && Visible(i, now))).ToList();
        var missing = ids.Where((_, n) => found[n] is null).ToList();
        if (missing.Count > 0)
            throw new Ec2Fault("InvalidInstanceID.NotFound", missing.Count == 1
                ? $"The instance ID '{missing[0]}' does not exist"
                : $"The instance IDs '{string.Join(", ", missing)}' do not exist");
        return found.Select(i => i!).ToList();
    }

    private XElement DescribeInstances(string region, QueryForm form, string requestId)
    {
        var ids = form.List("InstanceId");
        var maxResults = form.Int("MaxResults");
        if (ids.Count > 0 && maxResults is not null)
            throw new Ec2Fault("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults");
        if (maxResults is < 5 or > 1000)
            throw new Ec2Fault("InvalidParameterValue", $"Value ( {maxResults} ) for parameter maxResults is invalid. Expecting a value greater than 5.");
        var now = time.GetUtcNow();
        IEnumerable<EmulatedInstance> selected = ids.Count > 0
            ? Find(region, ids)
            : instances.Where(i => i.Region == region && Visible(i, now));
        foreach (var (name, values) in form.Filters())
            selected = selected.Where(Filter(name, values)).ToList();
        var (page, next) = Page(selected.ToList(), maxResults, form["NextToken"]);
        return Document("DescribeInstances", requestId,
            Set("reservationSet", page.Select(i => Reservation(i, [i]))),
            next is null ? null : E("nextToken", next));
    }

    private static Func<EmulatedInstance, bool> Filter(string name, IReadOnlyList<string> values)
    {
        if (name.StartsWith("tag:", StringComparison.Ordinal))
            return i => i.Tags.TryGetValue(name[4..], out var v) && values.Contains(v);
        return name switch
        {
            "tag-key" => i => i.Tags.Keys.Any(values.Contains),
            "instance-state-name" => i => values.Contains(i.State),
            "instance-type" => i => values.Contains(i.InstanceType),
            "availability-zone" => i => values.Contains(i.Zone),
            "instance-lifecycle" => i => values.Contains(i.Spot ? "spot" : "scheduled") || (!i.Spot && values.Contains("on-demand")),
            "client-token" => i => i.ClientToken is not null && values.Contains(i.ClientToken),
            "instance-id" => i => values.Contains(i.InstanceId),
            _ => throw new Ec2Fault("InvalidParameterValue", $"The filter '{name}' is invalid"),
        };
    }

    private XElement DescribeSpotPriceHistory(string region, QueryForm form, string requestId)
    {
        var types = form.List("InstanceType");
        var products = form.List("ProductDescription");
        var zoneFilter = form["AvailabilityZone"];
        var end = form["EndTime"] is { } e ? ParseTime(e, "EndTime") : time.GetUtcNow();
        var start = form["StartTime"] is { } s ? ParseTime(s, "StartTime") : end;
        var maxResults = form.Int("MaxResults");
        if (maxResults is < 1 or > 10000)
            throw new Ec2Fault("InvalidParameterValue", $"Value ( {maxResults} ) for parameter maxResults is invalid.");
        var zones = options.Zones.Where(z => z.Region == region).Select(z => z.Name).ToHashSet();
        var rows = new List<(string Type, string Zone, DateTimeOffset At, decimal Price)>();
        if (products.Count == 0 || products.Contains("Linux/UNIX"))
        {
            foreach (var ((type, zone), history) in spotPrices.OrderBy(p => p.Key.Zone, StringComparer.Ordinal).ThenBy(p => p.Key.Type, StringComparer.Ordinal))
            {
                if (!zones.Contains(zone) || (types.Count > 0 && !types.Contains(type)) || (zoneFilter is not null && zoneFilter != zone))
                    continue;
                // The prices in force during [start, end]: the last change before start, and every change within.
                var inRange = history.Where(h => h.At > start && h.At <= end).ToList();
                var before = history.Where(h => h.At <= start).OrderBy(h => h.At).LastOrDefault();
                if (before != default)
                    inRange.Insert(0, before);
                rows.AddRange(inRange.OrderByDescending(h => h.At).Select(h => (type, zone, h.At, h.Price)));
            }
        }
        var (page, next) = Page(rows, maxResults, form["NextToken"]);
        return Document("DescribeSpotPriceHistory", requestId,
            Set("spotPriceHistorySet", page.Select(r => E("item",
                E("instanceType", r.Type),
                E("productDescription", "Linux/UNIX"),
                E("spotPrice", r.Price.ToString("0.000000", CultureInfo.InvariantCulture)),
                E("timestamp", Time(r.At)),
                E("availabilityZone", r.Zone)))),
            E("nextToken", next ?? ""));
    }

    private XElement DescribeInstanceTypeOfferings(string region, QueryForm form, string requestId)
    {
        var locationType = form["LocationType"] ?? "region";
        if (locationType is not ("region" or "availability-zone" or "availability-zone-id"))
            throw new Ec2Fault("InvalidParameterValue", $"Value ({locationType}) for parameter LocationType is invalid.");
        var maxResults = form.Int("MaxResults");
        if (maxResults is < 5 or > 1000)
            throw new Ec2Fault("InvalidParameterValue", $"Value ( {maxResults} ) for parameter maxResults is invalid. Expecting a value greater than 5.");
        var zones = options.Zones.Where(z => z.Region == region).ToList();
        var rows = options.TypeOfferings
            .Select(o => (o.InstanceType, Zone: zones.FirstOrDefault(z => z.Name == o.Zone)))
            .Where(o => o.Zone is not null)
            .Select(o => (o.InstanceType, Location: locationType switch
            {
                "region" => region,
                "availability-zone" => o.Zone!.Name,
                _ => o.Zone!.Id,
            }))
            .Distinct()
            .OrderBy(o => o.Location, StringComparer.Ordinal).ThenBy(o => o.InstanceType, StringComparer.Ordinal)
            .ToList();
        foreach (var (name, values) in form.Filters())
        {
            rows = name switch
            {
                "instance-type" => rows.Where(r => values.Contains(r.InstanceType)).ToList(),
                "location" => rows.Where(r => values.Contains(r.Location)).ToList(),
                _ => throw new Ec2Fault("InvalidParameterValue", $"The filter '{name}' is invalid"),
            };
        }
        var (page, next) = Page(rows, maxResults, form["NextToken"]);
        return Document("DescribeInstanceTypeOfferings", requestId,
            Set("instanceTypeOfferingSet", page.Select(r => E("item",
                E("instanceType", r.InstanceType), E("locationType", locationType), E("location", r.Location)))),
            next is null ? null : E("nextToken", next));
    }

    private XElement DescribeAvailabilityZones(string region, string requestId) =>
        Document("DescribeAvailabilityZones", requestId,
            Set("availabilityZoneInfo", options.Zones.Where(z => z.Region == region).Select(z => E("item",
                E("zoneName", z.Name), E("zoneState", "available"), E("regionName", region), E("zoneId", z.Id), E("zoneType", "availability-zone")))));

    private decimal? CurrentSpotPrice(string type, string zone) =>
        spotPrices.TryGetValue((type, zone), out var history) && history.Count > 0
            ? history.Where(h => h.At <= time.GetUtcNow()).OrderBy(h => h.At).Select(h => (decimal?)h.Price).LastOrDefault()
            : null;

    /// <summary>One page of <paramref name="rows"/>; the token is the offset of the next page.</summary>
    private static (List<T> Page, string? Next) Page<T>(List<T> rows, int? maxResults, string? token)
    {
        var offset = 0;
        if (!string.IsNullOrEmpty(token))
        {
            string text;
            try
            {
                text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            }
            catch (FormatException)
            {
                throw new Ec2Fault("InvalidParameterValue", $"Invalid NextToken: {token}");
            }
            if (!text.StartsWith("offset:", StringComparison.Ordinal) || !int.TryParse(text[7..], out offset) || offset < 0)
                throw new Ec2Fault("InvalidParameterValue", $"Invalid NextToken: {token}");
        }
        var size = maxResults ?? 1000;
        var page = rows.Skip(offset).Take(size).ToList();
        var next = offset + size < rows.Count ? Convert.ToBase64String(Encoding.UTF8.GetBytes($"offset:{offset + size}")) : null;
        return (page, next);
    }

    private static DateTimeOffset ParseTime(string text, string name) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : throw new Ec2Fault("InvalidParameterValue", $"Value ({text}) for parameter {name} is invalid.");

    private string Hex(int digits)
    {
        var builder = new StringBuilder(digits);
        for (var n = 0; n < digits; n++)
            builder.Append("0123456789abcdef"[random.Next(16)]);
        return builder.ToString();
    }

    [GeneratedRegex("^i-([0-9a-f]{8}|[0-9a-f]{17})$")]
    private static partial Regex InstanceId();
}
