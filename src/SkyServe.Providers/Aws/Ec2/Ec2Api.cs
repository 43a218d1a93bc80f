using System.Globalization;
using System.Xml.Linq;
using SkyServe.Providers.Aws.Query;

namespace SkyServe.Providers.Aws.Ec2;

/// <summary>
/// The EC2 Query API calls this provider makes, written by hand (AWSSDK.EC2 is not available): requests as
/// form fields, answers read from the 2016-11-15 XML. Describe calls follow <c>nextToken</c> to the end.
/// </summary>
public sealed class Ec2Api(AwsQueryClient client, Func<string, Uri> endpointFor, int pageSize, TimeSpan timeout)
{
    public const string Service = "ec2";

    public static QueryParameters Request(string action) => new(action, Ec2Xml.Version);

    public async Task<Ec2Instance> RunInstancesAsync(string region, QueryParameters request, CancellationToken ct)
    {
        var root = await CallAsync(region, request, ct);
        var item = root.Items("instancesSet").FirstOrDefault()
            ?? throw new FormatException("RunInstances answered without an instance");
        return Ec2Instance.Parse(item);
    }

    /// <summary>Terminates one instance; returns its state after the call (shutting-down or terminated).</summary>
    public async Task<string?> TerminateInstanceAsync(string region, string instanceId, CancellationToken ct)
    {
        var root = await CallAsync(region, Request("TerminateInstances").Add("InstanceId.1", instanceId), ct);
        return root.Items("instancesSet").FirstOrDefault().Child("currentState").Text("name");
    }

    public async Task<IReadOnlyList<Ec2Instance>> DescribeInstancesAsync(string region, IReadOnlyCollection<(string Name, IReadOnlyCollection<string> Values)> filters, CancellationToken ct)
    {
        var request = Request("DescribeInstances").AddFilters(filters).Add("MaxResults", pageSize);
        var pages = await PagesAsync(region, request, ct);
        return pages.SelectMany(p => p.Items("reservationSet")).SelectMany(r => r.Items("instancesSet")).Select(Ec2Instance.Parse).ToList();
    }

    /// <summary>One instance by id (EC2 does not allow MaxResults with instance ids; one id needs no paging).</summary>
    public async Task<Ec2Instance?> DescribeInstanceAsync(string region, string instanceId, CancellationToken ct)
    {
        var root = await CallAsync(region, Request("DescribeInstances").Add("InstanceId.1", instanceId), ct);
        return root.Items("reservationSet").SelectMany(r => r.Items("instancesSet")).Select(Ec2Instance.Parse)
            .FirstOrDefault(i => i.InstanceId == instanceId);
    }

    /// <summary>Which of the instance types each zone of the region sells (LocationType=availability-zone).</summary>
    public async Task<IReadOnlyList<(string InstanceType, string Zone)>> DescribeInstanceTypeOfferingsAsync(string region, IReadOnlyCollection<string> instanceTypes, CancellationToken ct)
    {
        var request = Request("DescribeInstanceTypeOfferings")
            .Add("LocationType", "availability-zone")
            .AddFilters([("instance-type", instanceTypes)])
            .Add("MaxResults", pageSize);
        var pages = await PagesAsync(region, request, ct);
        return pages.SelectMany(p => p.Items("instanceTypeOfferingSet"))
            .Select(i => (i.Text("instanceType") ?? "", i.Text("location") ?? ""))
            .Where(o => o.Item1.Length > 0 && o.Item2.Length > 0)
            .ToList();
    }

    /// <summary>
    /// Linux spot prices of the instance types as of <paramref name="at"/>: with StartTime = EndTime = at, EC2
    /// answers the price in force then (the last change before it) for every zone.
    /// </summary>
    public async Task<IReadOnlyList<SpotPrice>> DescribeSpotPriceHistoryAsync(string region, IReadOnlyCollection<string> instanceTypes, DateTimeOffset at, CancellationToken ct)
    {
        var request = Request("DescribeSpotPriceHistory")
            .AddList("InstanceType", instanceTypes)
            .Add("ProductDescription.1", "Linux/UNIX")
            .Add("StartTime", Ec2Xml.FormatTime(at))
            .Add("EndTime", Ec2Xml.FormatTime(at))
            .Add("MaxResults", pageSize);
        var pages = await PagesAsync(region, request, ct);
        return pages.SelectMany(p => p.Items("spotPriceHistorySet"))
            .Select(i => new SpotPrice(
                i.Text("instanceType") ?? "",
                i.Text("availabilityZone") ?? "",
                decimal.Parse(i.Text("spotPrice") ?? "0", NumberStyles.Number, CultureInfo.InvariantCulture),
                i.Text("timestamp") is { } t ? Ec2Xml.ParseTime(t) : DateTimeOffset.MinValue))
            .ToList();
    }

    private async Task<List<XElement>> PagesAsync(string region, QueryParameters first, CancellationToken ct)
    {
        var pages = new List<XElement>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await CallAsync(region, first.WithNextToken(token), ct);
            pages.Add(page);
            token = page.Text("nextToken");
            if (token is not null && !seen.Add(token))
                throw new FormatException($"{first.Action} in {region} returned the same nextToken twice");
        }
        while (token is not null);
        return pages;
    }

    private async Task<XElement> CallAsync(string region, QueryParameters request, CancellationToken ct)
    {
        var document = await client.CallAsync(endpointFor(region), region, Service, request, timeout, ct);
        return document.Root ?? throw new FormatException($"{request.Action} answered an empty document");
    }
}
