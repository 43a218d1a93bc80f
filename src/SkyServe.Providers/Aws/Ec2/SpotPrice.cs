namespace SkyServe.Providers.Aws.Ec2;

/// <summary>One row of DescribeSpotPriceHistory.</summary>
public sealed record SpotPrice(string InstanceType, string AvailabilityZone, decimal PricePerHour, DateTimeOffset Timestamp);
