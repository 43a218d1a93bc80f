using Microsoft.Extensions.Logging;
using SkyServe.Core.Catalog;
using SkyServe.Providers.Aws.Ec2;

namespace SkyServe.Providers.Aws;

/// <summary>
/// What can be launched: the catalog's AWS instance types (config/catalog/aws.yaml: accelerators, sizes,
/// on-demand list prices) in the zones where EC2 says each type is sold (DescribeInstanceTypeOfferings), on
/// demand at the catalog price and as spot at the current spot price of that zone (DescribeSpotPriceHistory).
/// A type with no spot price in a zone has no spot offering there. Both lookups are cached per region and
/// refreshed on their own schedules; a failed refresh keeps the last answer.
/// </summary>
public sealed class AwsOfferings(Ec2Api ec2, CloudCatalog catalog, AwsProviderOptions options, TimeProvider time, ILogger log)
{
    public const string Cloud = "aws";

    private readonly Dictionary<string, Cached<IReadOnlyList<(string InstanceType, string Zone)>>> coverage = new();
    private readonly Dictionary<string, Cached<IReadOnlyDictionary<(string InstanceType, string Zone), decimal>>> spotPrices = new();
    private readonly SemaphoreSlim gate = new(1, 1);

    public async Task<IReadOnlyList<InstanceOffering>> ListAsync(CancellationToken ct)
    {
        var perRegion = await Task.WhenAll(options.Regions.Keys.Order(StringComparer.Ordinal).Select(r => RegionAsync(r, ct)));
        return perRegion.SelectMany(o => o).ToList();
    }

    private async Task<IReadOnlyList<InstanceOffering>> RegionAsync(string region, CancellationToken ct)
    {
        // One catalog row per type stands for the region: the catalog's zones are zone IDs of a snapshot, EC2's answer is live.
        var types = catalog.InRegion(Cloud, region)
            .GroupBy(o => o.InstanceType, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        if (types.Count == 0)
        {
            log.NoCatalogedInstanceTypes(region);
            return [];
        }
        var names = types.Keys.Order(StringComparer.Ordinal).ToList();
        var zones = await RefreshAsync(coverage, region, options.ZoneCoverageRefresh, "zone coverage",
            () => ec2.DescribeInstanceTypeOfferingsAsync(region, names, ct));
        var prices = await RefreshAsync(spotPrices, region, options.SpotPriceRefresh, "spot prices",
            async () => LatestPrices(await ec2.DescribeSpotPriceHistoryAsync(region, names, time.GetUtcNow(), ct)));
        var subnets = options.Regions[region].Subnets;

        var offerings = new List<InstanceOffering>();
        foreach (var (type, zone) in zones.Distinct().OrderBy(z => z.Zone, StringComparer.Ordinal).ThenBy(z => z.InstanceType, StringComparer.Ordinal))
        {
            if (!types.TryGetValue(type, out var row) || (subnets.Count > 0 && !subnets.ContainsKey(zone)))
                continue;
            offerings.Add(row with
            {
                Zone = zone,
                SpotPerHour = prices.TryGetValue((type, zone), out var spot) ? spot : null,
            });
        }
        return offerings;
    }

    /// <summary>The newest price per type and zone.</summary>
    private static IReadOnlyDictionary<(string, string), decimal> LatestPrices(IEnumerable<SpotPrice> rows) =>
        rows.Where(r => r.PricePerHour > 0)
            .GroupBy(r => (r.InstanceType, r.AvailabilityZone))
            .ToDictionary(g => g.Key, g => g.MaxBy(r => r.Timestamp)!.PricePerHour);

    private async Task<T> RefreshAsync<T>(Dictionary<string, Cached<T>> cache, string region, TimeSpan maxAge, string what, Func<Task<T>> fetch)
    {
        var now = time.GetUtcNow();
        await gate.WaitAsync();
        Cached<T>? cached;
        try
        {
            if (cache.TryGetValue(region, out cached) && now - cached.At < maxAge)
                return cached.Value;
        }
        finally
        {
            gate.Release();
        }
        try
        {
            var value = await fetch();
            await gate.WaitAsync();
            try
            {
                cache[region] = new Cached<T>(value, now);
            }
            finally
            {
                gate.Release();
            }
            return value;
        }
        catch (Exception e) when (cached is not null && e is not OperationCanceledException)
        {
            log.AwsRefreshFailed(e, what, region, cached.At);
            return cached.Value;
        }
    }

    private sealed record Cached<T>(T Value, DateTimeOffset At);
}

internal static partial class AwsOfferingsLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "the AWS catalog lists no instance types in {Region}: nothing is offered there")]
    public static partial void NoCatalogedInstanceTypes(this ILogger logger, string region);

    [LoggerMessage(Level = LogLevel.Warning, Message = "refreshing AWS {What} of {Region} failed; keeping those from {At}")]
    public static partial void AwsRefreshFailed(this ILogger logger, Exception exception, string what, string region, DateTimeOffset at);
}
