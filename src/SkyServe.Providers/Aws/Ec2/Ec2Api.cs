using System.Collections.Concurrent;
using System.Globalization;
using Amazon;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;

namespace SkyServe.Providers.Aws.Ec2;

/// <summary>
/// The EC2 calls this provider makes, through AWSSDK.EC2's <see cref="AmazonEC2Client"/> (one per region: the
/// SDK signs for the client's region). Describe calls follow <c>NextToken</c> to the end.
/// </summary>
public sealed class Ec2Api(Func<string, AmazonEC2Client> clientFor, int pageSize) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<AmazonEC2Client>> clients = new(StringComparer.Ordinal);

    /// <summary>
    /// The region's client: <see cref="AwsProviderOptions.Endpoint"/> as ServiceURL with the region as
    /// AuthenticationRegion when set (emulators, VPC endpoints), else the SDK's endpoint for the region; the SDK's
    /// standard retry mode with <see cref="AwsProviderOptions.MaxAttempts"/> attempts; each attempt bounded by
    /// <see cref="AwsProviderOptions.RequestTimeout"/>.
    /// </summary>
    public static AmazonEC2Client CreateClient(string region, AwsProviderOptions options, AWSCredentials credentials, HttpClientFactory? http)
    {
        var config = new AmazonEC2Config();
        AwsSdk.Configure(config, options, options.RequestTimeout, http);
        if (options.Endpoint is { Length: > 0 })
        {
            config.ServiceURL = options.EndpointFor(region).ToString();
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        return new Ec2Client(credentials, config, options.RetryMaxDelay);
    }

    private AmazonEC2Client Client(string region) =>
        clients.GetOrAdd(region, r => new Lazy<AmazonEC2Client>(() => clientFor(r))).Value;

    public async Task<Ec2Instance> RunInstancesAsync(string region, RunInstancesRequest request, CancellationToken ct)
    {
        var response = await Client(region).RunInstancesAsync(request, ct);
        var instance = response.Reservation?.Instances?.FirstOrDefault()
            ?? throw new FormatException("RunInstances answered without an instance");
        return Ec2Instance.From(instance);
    }

    /// <summary>Terminates one instance; returns its state after the call (shutting-down or terminated).</summary>
    public async Task<string?> TerminateInstanceAsync(string region, string instanceId, CancellationToken ct)
    {
        var response = await Client(region).TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [instanceId] }, ct);
        return response.TerminatingInstances?.FirstOrDefault()?.CurrentState?.Name?.Value;
    }

    public async Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(string region, IReadOnlyCollection<(string Name, IReadOnlyCollection<string> Values)> filters, CancellationToken ct)
    {
        var instances = new List<Ec2Instance>();
        await PagesAsync(region, "DescribeInstances", async token =>
        {
            var page = await Client(region).DescribeInstancesAsync(new DescribeInstancesRequest
            {
                Filters = Filters(filters),
                MaxResults = pageSize,
                NextToken = token,
            }, ct);
            instances.AddRange((page.Reservations ?? []).SelectMany(r => r.Instances ?? []).Select(Ec2Instance.From));
            return page.NextToken;
        });
        return instances;
    }

    /// <summary>One instance by id (EC2 does not allow MaxResults with instance ids; one id needs no paging).</summary>
    public async Task<Ec2Instance?> DescribeInstanceAsync(string region, string instanceId, CancellationToken ct)
    {
        var response = await Client(region).DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instanceId] }, ct);
        return (response.Reservations ?? []).SelectMany(r => r.Instances ?? []).Select(Ec2Instance.From)
            .FirstOrDefault(i => i.InstanceId == instanceId);
    }

    /// <summary>Which of the instance types each zone of the region sells (LocationType=availability-zone).</summary>
    public async Task<IReadOnlyList<(string InstanceType, string Zone)>> DescribeInstanceTypeOfferingsAsync(string region, IReadOnlyCollection<string> instanceTypes, CancellationToken ct)
    {
        var offerings = new List<(string, string)>();
        await PagesAsync(region, "DescribeInstanceTypeOfferings", async token =>
        {
            var page = await Client(region).DescribeInstanceTypeOfferingsAsync(new DescribeInstanceTypeOfferingsRequest
            {
                LocationType = LocationType.AvailabilityZone,
                Filters = Filters([("instance-type", instanceTypes)]),
                MaxResults = pageSize,
                NextToken = token,
            }, ct);
            offerings.AddRange((page.InstanceTypeOfferings ?? [])
                .Select(o => (o.InstanceType?.Value ?? "", o.Location ?? ""))
                .Where(o => o.Item1.Length > 0 && o.Item2.Length > 0));
            return page.NextToken;
        });
        return offerings;
    }

    /// <summary>
    /// Linux spot prices of the instance types as of <paramref name="at"/>: with StartTime = EndTime = at, EC2
    /// answers the price in force then (the last change before it) for every zone.
    /// </summary>
    public async Task<IReadOnlyList<SpotPrice>> DescribeSpotPriceHistoryAsync(string region, IReadOnlyCollection<string> instanceTypes, DateTimeOffset at, CancellationToken ct)
    {
        var prices = new List<SpotPrice>();
        await PagesAsync(region, "DescribeSpotPriceHistory", async token =>
        {
            var page = await Client(region).DescribeSpotPriceHistoryAsync(new DescribeSpotPriceHistoryRequest
            {
                InstanceTypes = [.. instanceTypes],
                ProductDescriptions = ["Linux/UNIX"],
                StartTime = at.UtcDateTime,
                EndTime = at.UtcDateTime,
                MaxResults = pageSize,
                NextToken = token,
            }, ct);
            prices.AddRange((page.SpotPriceHistory ?? []).Select(p => new SpotPrice(
                p.InstanceType?.Value ?? "",
                p.AvailabilityZone ?? "",
                decimal.Parse(p.Price ?? "0", NumberStyles.Number, CultureInfo.InvariantCulture),
                Ec2Instance.Utc(p.Timestamp))));
            return page.NextToken;
        });
        return prices;
    }

    private static List<Filter> Filters(IEnumerable<(string Name, IReadOnlyCollection<string> Values)> filters) =>
        filters.Select(f => new Filter { Name = f.Name, Values = [.. f.Values] }).ToList();

    /// <summary>Calls <paramref name="page"/> with each page's token (null first) until EC2 answers no next token.</summary>
    private static async Task PagesAsync(string region, string action, Func<string?, Task<string?>> page)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            token = await page(token);
            if (string.IsNullOrEmpty(token))
                return;
            if (!seen.Add(token))
                throw new FormatException($"{action} in {region} returned the same NextToken twice");
        }
        while (true);
    }

    public void Dispose()
    {
        foreach (var client in clients.Values.Where(c => c.IsValueCreated))
            client.Value.Dispose();
    }
}
