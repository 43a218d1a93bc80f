using SkyServe.Contracts.Notices;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SkyServe.Core.Catalog;
using SkyServe.Core.Hosting;
using SkyServe.Providers.Aws.Ec2;
using SkyServe.Providers.Aws.Sqs;

namespace SkyServe.Providers.Aws;

/// <summary>
/// Machines on Amazon EC2 through AWSSDK.EC2: RunInstances (spot through InstanceMarketOptions,
/// one-time, terminate on interruption; idempotent by ClientToken), TerminateInstances, DescribeInstances
/// by tag, and offerings from the catalog, DescribeInstanceTypeOfferings and DescribeSpotPriceHistory.
/// The SDK signs (Signature V4), retries (standard mode) and finds credentials (AWSSDK.Core's default chain).
/// Interruption notices come from an optional SQS queue fed by EventBridge, read through AWSSDK.SQS; without one, a reclaim is
/// reported when an instance is seen ending with Server.SpotInstanceTermination.
/// </summary>
public sealed partial class AwsCloudProvider : ICloudProvider, IAsyncDisposable
{
    public const string Cloud = AwsOfferings.Cloud;

    private readonly AwsProviderOptions options;
    private readonly TimeProvider time;
    private readonly ILogger log;
    private readonly Ec2Api ec2;
    private readonly AwsOfferings offerings;
    private readonly SqsQueue? queue;
    private readonly InterruptionHub hub;
    private readonly ConcurrentDictionary<string, string> regionOf = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock pumpLock = new();
    private Task? pump;
    private int disposed;

    private AwsCloudProvider(AwsProviderOptions options, CloudCatalog catalog, AWSCredentials credentials, TimeProvider time,
        ILogger log, HttpMessageHandler? handler)
    {
        this.options = options;
        this.time = time;
        this.log = log;
        var http = handler is null ? null : new HandlerHttpClientFactory(handler);
        ec2 = new Ec2Api(region => Ec2Api.CreateClient(region, options, credentials, http), options.PageSize);
        offerings = new AwsOfferings(ec2, catalog, options, time, log);
        hub = new InterruptionHub(time);
        Unavailable = new UnavailableOfferings(time, options.UnavailableOfferingTtl);
        if (options.InterruptionQueueUrl is { } url)
        {
            var queueUrl = new Uri(url);
            var endpoint = options.InterruptionQueueEndpoint is { } overridden
                ? new Uri(new Uri(overridden), queueUrl.AbsolutePath)
                : queueUrl;
            var region = SqsQueue.RegionOf(queueUrl) ?? options.Regions.Keys.Order(StringComparer.Ordinal).First();
            queue = new SqsQueue(queueUrl, endpoint, region, options, credentials, http);
        }
    }

    public IReadOnlyCollection<string> Clouds { get; } = [Cloud];

    /// <summary>Offerings refused for capacity lately (placement filters them until the entry expires).</summary>
    public UnavailableOfferings Unavailable { get; }

    /// <summary>
    /// A provider over <paramref name="catalog"/>'s AWS instance types. <paramref name="credentials"/>: AWS's default
    /// chain when null. <paramref name="handler"/>: the SDK's HTTP stack (tests, proxies), owned by the caller.
    /// </summary>
    public static AwsCloudProvider Create(AwsProviderOptions options, CloudCatalog catalog, AWSCredentials? credentials = null,
        TimeProvider? time = null, ILogger? log = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(catalog);
        var problems = options.Problems();
        if (problems.Count > 0)
            throw new ArgumentException($"AWS settings ({AwsProviderOptions.SectionName}): {string.Join("; ", problems)}", nameof(options));
        return new AwsCloudProvider(options, catalog, credentials ?? new AwsDefaultCredentials(), time ?? TimeProvider.System,
            log ?? NullLogger.Instance, handler);
    }

    /// <summary>What a host calls: settings from section <c>SkyServe:Clouds:Aws</c>, the catalog folder's AWS price list, the default credentials.</summary>
    public static AwsCloudProvider FromConfiguration(IConfiguration configuration, string catalogDirectory, ILogger? log = null) =>
        Create(AwsProviderOptions.FromConfiguration(configuration), CatalogLoader.LoadDirectory(catalogDirectory).Clouds, log: log);

    public async Task<IReadOnlyList<CloudOffering>> ListOfferingsAsync(CancellationToken ct)
    {
        IReadOnlyList<InstanceOffering> instances;
        try
        {
            instances = await offerings.ListAsync(ct);
        }
        catch (AmazonServiceException e) when (!Ec2ErrorMapping.IsTransient(e))
        {
            throw Ec2ErrorMapping.ToCloudError(e, "listing AWS offerings");
        }
        return Unavailable.Offer(instances);
    }

    public async Task<CloudMachine> LaunchAsync(LaunchRequest request, CancellationToken ct)
    {
        var key = request.Offering;
        var run = RunInstancesRequest(request);
        try
        {
            var instance = await ec2.RunInstancesAsync(key.Region, run, ct);
            regionOf[instance.InstanceId] = key.Region;
            log.Ec2InstanceLaunched(instance.InstanceId, key, request.ClientToken);
            return ToMachine(instance, key.Region) with { ClientToken = request.ClientToken };
        }
        catch (AmazonServiceException e) when (!Ec2ErrorMapping.IsTransient(e))
        {
            if (Ec2ErrorMapping.ShunsOffering(e))
            {
                Unavailable.MarkUnavailable(key);
                log.Ec2OfferingRefused(key, e.ErrorCode, Unavailable.Ttl);
            }
            throw Ec2ErrorMapping.ToCloudError(e, $"launching {key}");
        }
    }

    /// <summary>The RunInstances request for a launch (public for tests of the request's shape).</summary>
    public RunInstancesRequest RunInstancesRequest(LaunchRequest request)
    {
        var key = request.Offering;
        if (!string.Equals(key.Cloud, Cloud, StringComparison.OrdinalIgnoreCase))
            throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"{key} is not an AWS offering");
        if (!options.Regions.TryGetValue(key.Region, out var region))
            throw new CloudProviderException(CloudErrorKind.InvalidRequest,
                $"region {key.Region} is not configured (SkyServe:Clouds:Aws:Regions has {string.Join(", ", options.Regions.Keys)})");

        var run = new RunInstancesRequest
        {
            ImageId = ImageFor(request, region),
            InstanceType = InstanceType.FindValue(key.InstanceType),
            MinCount = 1,
            MaxCount = 1,
            ClientToken = Ec2ClientToken(request.ClientToken),
            UserData = AwsUserData.Encoded(request.Agent,
                AgentPackage.Choose(options.AgentInstallUrl, options.AgentInstallSha256, request.Agent, AwsProviderOptions.SectionName + ":AgentInstallUrl"),
                options.AgentPort),
            InstanceInitiatedShutdownBehavior = ShutdownBehavior.Terminate,
            MetadataOptions = new InstanceMetadataOptionsRequest
            {
                HttpEndpoint = InstanceMetadataEndpointState.Enabled,
                HttpTokens = HttpTokensState.Required, // IMDSv2 only: the agent's interruption watcher speaks it
            },
        };
        if (region.Subnets.TryGetValue(key.Zone, out var subnet))
            run.SubnetId = subnet;
        else
            run.Placement = new Placement { AvailabilityZone = key.Zone }; // the default VPC's subnet in that zone
        if (options.SecurityGroupsFor(key.Region) is { Count: > 0 } groups)
            run.SecurityGroupIds = [.. groups];
        if (options.KeyNameFor(key.Region) is { } keyName)
            run.KeyName = keyName;
        if (options.InstanceProfile is { } profile)
            run.IamInstanceProfile = profile.StartsWith("arn:", StringComparison.Ordinal)
                ? new IamInstanceProfileSpecification { Arn = profile }
                : new IamInstanceProfileSpecification { Name = profile };
        run.BlockDeviceMappings = [AwsRootVolume.For(request.Machine, options.RootDeviceName)];
        var tags = Tags(request).Select(t => new Tag(t.Key, t.Value)).ToList();
        var resourceTypes = key.Spot ? new[] { ResourceType.Instance, ResourceType.Volume, ResourceType.SpotInstancesRequest } : [ResourceType.Instance, ResourceType.Volume];
        run.TagSpecifications = resourceTypes.Select(type => new TagSpecification { ResourceType = type, Tags = [.. tags] }).ToList();
        if (key.Spot)
            run.InstanceMarketOptions = new InstanceMarketOptionsRequest
            {
                MarketType = MarketType.Spot,
                SpotOptions = new SpotMarketOptions
                {
                    SpotInstanceType = SpotInstanceType.OneTime,
                    InstanceInterruptionBehavior = InstanceInterruptionBehavior.Terminate,
                },
            };
        return run;
    }

    public async Task TerminateAsync(string machineId, CancellationToken ct)
    {
        foreach (var region in RegionsToSearch(machineId))
        {
            try
            {
                var state = await ec2.TerminateInstanceAsync(region, machineId, ct);
                log.Ec2InstanceTerminating(machineId, region, state);
                return;
            }
            catch (AmazonServiceException e) when (Ec2ErrorMapping.IsNotFound(e))
            {
                // Not in this region (or never existed): look in the next one.
            }
            catch (AmazonServiceException e) when (!Ec2ErrorMapping.IsTransient(e))
            {
                throw Ec2ErrorMapping.ToCloudError(e, $"terminating {machineId}");
            }
        }
        regionOf.TryRemove(machineId, out _);
    }

    public async Task<CloudMachine?> GetAsync(string machineId, CancellationToken ct)
    {
        foreach (var region in RegionsToSearch(machineId))
        {
            Ec2Instance? instance;
            try
            {
                instance = await ec2.DescribeInstanceAsync(region, machineId, ct);
            }
            catch (AmazonServiceException e) when (Ec2ErrorMapping.IsNotFound(e))
            {
                continue;
            }
            catch (AmazonServiceException e) when (!Ec2ErrorMapping.IsTransient(e))
            {
                throw Ec2ErrorMapping.ToCloudError(e, $"describing {machineId}");
            }
            if (instance is null)
                continue;
            Observe(instance);
            if (instance.State == MachineState.Terminated)
            {
                regionOf.TryRemove(machineId, out _);
                return null;
            }
            regionOf[machineId] = region;
            return ToMachine(instance, region);
        }
        return null;
    }

    public async Task<IReadOnlyList<CloudMachine>> ListAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        var filters = tags.OrderBy(t => t.Key, StringComparer.Ordinal)
            .Select(t => ($"tag:{t.Key}", (IReadOnlyCollection<string>)[t.Value]))
            .Append(("instance-state-name", Ec2InstanceStates.Live))
            .ToList();
        var regions = options.Regions.Keys.Order(StringComparer.Ordinal).ToList();
        try
        {
            var perRegion = await Task.WhenAll(regions.Select(r => ec2.DescribeInstancesAsync(r, filters, ct)));
            var machines = new List<CloudMachine>();
            for (var i = 0; i < regions.Count; i++)
            {
                foreach (var instance in perRegion[i])
                {
                    Observe(instance);
                    if (instance.State == MachineState.Terminated)
                        continue;
                    regionOf[instance.InstanceId] = regions[i];
                    machines.Add(ToMachine(instance, regions[i]));
                }
            }
            return machines;
        }
        catch (AmazonServiceException e) when (!Ec2ErrorMapping.IsTransient(e))
        {
            throw Ec2ErrorMapping.ToCloudError(e, "listing AWS machines");
        }
    }

    public async IAsyncEnumerable<InterruptionNotice> WatchInterruptionsAsync([EnumeratorCancellation] CancellationToken ct)
    {
        var reader = hub.Subscribe();
        try
        {
            StartPump();
            while (await reader.WaitToReadAsync(ct))
                while (reader.TryRead(out var notice))
                    yield return notice;
        }
        finally
        {
            hub.Unsubscribe(reader);
        }
    }

    /// <summary>EC2 reports a reclaim in the instance's state reason; the first sighting is a notice (deadline: now) unless one came before.</summary>
    private void Observe(Ec2Instance instance)
    {
        if (!instance.Spot || !instance.WasPreempted)
            return;
        var now = time.GetUtcNow();
        if (hub.Publish(new InterruptionNotice(instance.InstanceId, InterruptionKind.Preemption, now, now)))
            log.Ec2InstanceReclaimed(instance.InstanceId, instance.StateReasonMessage ?? instance.StateReasonCode);
    }

    private void StartPump()
    {
        if (queue is null)
            return;
        lock (pumpLock)
            pump ??= Task.Run(() => PumpAsync(queue, stopping.Token));
    }

    /// <summary>Reads the interruption queue while the provider lives: each warning becomes a notice, every message is then deleted.</summary>
    private async Task PumpAsync(SqsQueue source, CancellationToken ct)
    {
        var failures = 0;
        var backoff = new Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(30));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                foreach (var message in await source.ReceiveAsync(options.InterruptionQueueWaitSeconds, ct))
                {
                    if (SpotInterruptionEvent.Parse(message.Body, time.GetUtcNow()) is { } notice && hub.Publish(notice))
                        log.Ec2ReclaimNoticed(notice.MachineId, notice.Deadline);
                    await source.DeleteAsync(message.ReceiptHandle, ct);
                }
                failures = 0;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                log.InterruptionQueueReadFailed(e, SqsQueue.Describe(source.QueueUrl), failures);
                try
                {
                    await Task.Delay(backoff.DelayAfter(failures), ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private IEnumerable<string> RegionsToSearch(string machineId) =>
        regionOf.TryGetValue(machineId, out var known)
            ? [known]
            : options.Regions.Keys.Order(StringComparer.Ordinal);

    private CloudMachine ToMachine(Ec2Instance instance, string region)
    {
        var address = options.UsePublicIp ? instance.PublicIpAddress : instance.PrivateIpAddress;
        return new CloudMachine(
            instance.InstanceId,
            instance.ClientToken ?? "",
            new OfferingKey(Cloud, region, instance.AvailabilityZone, instance.InstanceType, instance.Spot),
            instance.State,
            instance.Tags,
            instance.LaunchTime)
        {
            Endpoint = address is null ? null : $"http://{address}:{options.AgentPort}",
        };
    }

    /// <summary>The spec's image_id, an AMI id, over the region's configured AMI.</summary>
    private static string ImageFor(LaunchRequest request, AwsRegionOptions region)
    {
        if (LaunchImage.ForVm(request, "AWS") is not { } image)
            return region.ImageId!;
        if (!AmiId().IsMatch(image))
            throw new CloudProviderException(CloudErrorKind.InvalidRequest,
                $"image_id '{image}' is not an AMI id (ami-0123456789abcdef0); an AMI belongs to one region: give each region its own in an any_of entry");
        return image;
    }

    [GeneratedRegex("^ami-[0-9a-f]{8,17}$")]
    private static partial Regex AmiId();

    /// <summary>The configured extra tags, the spec's labels, the launch's tags, and a Name for the console.</summary>
    private List<KeyValuePair<string, string>> Tags(LaunchRequest request)
    {
        var tags = new Dictionary<string, string>(options.Tags, StringComparer.Ordinal);
        foreach (var (name, value) in LaunchLabels.Of(request))
        {
            if (name.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
                throw new CloudProviderException(CloudErrorKind.InvalidRequest, $"label '{name}': the aws: prefix is reserved by AWS");
            tags[name] = value;
        }
        foreach (var (name, value) in request.Tags)
            tags[name] = value;
        if (!tags.ContainsKey("Name"))
        {
            var parts = new[] { "skyserve", request.Tags.GetValueOrDefault(MachineTags.Service), request.Tags.GetValueOrDefault(MachineTags.Replica) };
            tags["Name"] = string.Join('-', parts.Where(p => !string.IsNullOrEmpty(p)));
        }
        return tags.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>EC2 takes client tokens of up to 64 ASCII characters; a longer or non-ASCII token is replaced by its SHA-256.</summary>
    public static string Ec2ClientToken(string token) =>
        token.Length is > 0 and <= 64 && token.All(c => c is > ' ' and < (char)127)
            ? token
            : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
            return;
        await stopping.CancelAsync();
        Task? running;
        lock (pumpLock)
            running = pump;
        if (running is not null)
            await running.ContinueWith(_ => { }, TaskScheduler.Default);
        queue?.Dispose();
        ec2.Dispose();
        stopping.Dispose();
    }
}

internal static partial class AwsCloudProviderLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "launched {Instance} ({Offering}) for client token {Token}")]
    public static partial void Ec2InstanceLaunched(this ILogger logger, string instance, OfferingKey offering, string token);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Offering} refused ({Code}); not offered for {Ttl}")]
    public static partial void Ec2OfferingRefused(this ILogger logger, OfferingKey offering, string? code, TimeSpan ttl);

    [LoggerMessage(Level = LogLevel.Information, Message = "terminating {Instance} in {Region}: {State}")]
    public static partial void Ec2InstanceTerminating(this ILogger logger, string instance, string region, string? state);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance} was reclaimed by EC2 ({Reason})")]
    public static partial void Ec2InstanceReclaimed(this ILogger logger, string instance, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Instance} will be reclaimed by EC2 at {Deadline}")]
    public static partial void Ec2ReclaimNoticed(this ILogger logger, string instance, DateTimeOffset deadline);

    [LoggerMessage(Level = LogLevel.Warning, Message = "reading the interruption queue {Queue} failed ({Failures} in a row)")]
    public static partial void InterruptionQueueReadFailed(this ILogger logger, Exception exception, string queue, int failures);
}
