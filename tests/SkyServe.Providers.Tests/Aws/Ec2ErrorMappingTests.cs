using System.Net;
using Amazon.EC2;
using Amazon.Runtime;
using SkyServe.Providers.Aws;
using SkyServe.Providers.Aws.Ec2;

namespace SkyServe.Providers.Tests.Aws;

/// <summary>
/// Every EC2 error code the provider maps, answered over the wire by the emulator (as EC2 sends it: the
/// error envelope with its HTTP status), and the kind it becomes. Where the emulator can produce the
/// condition itself (capacity, quota, credentials, unknown type) the test makes it happen for real.
/// </summary>
public sealed class Ec2ErrorMappingTests : IAsyncLifetime
{
    private AwsTestCloud cloud = null!;
    private AwsCloudProvider provider = null!;
    private static readonly OfferingKey Spot = AwsTestCloud.Key("us-east-1a", "g5.xlarge", spot: true);
    private static readonly OfferingKey OnDemand = Spot with { Spot = false };

    public async Task InitializeAsync()
    {
        cloud = await AwsTestCloud.StartAsync();
        provider = cloud.Provider();
    }

    public async Task DisposeAsync() => await cloud.DisposeAsync();

    private async Task<CloudProviderException> LaunchFailsAsync(OfferingKey offering, AwsCloudProvider? with = null) =>
        await Assert.ThrowsAsync<CloudProviderException>(() => (with ?? provider).LaunchAsync(AwsTestCloud.Launch(offering), CancellationToken.None));

    [Theory]
    [InlineData("InsufficientInstanceCapacity", "There is no Spot capacity available that matches your request.", 500, CloudErrorKind.InsufficientCapacity)]
    [InlineData("SpotMaxPriceTooLow", "Your Spot request price of 0.1 is lower than the minimum required Spot request fulfillment price of 0.4.", 400, CloudErrorKind.InsufficientCapacity)]
    [InlineData("MaxSpotInstanceCountExceeded", "Max spot instance count exceeded", 400, CloudErrorKind.QuotaExceeded)]
    [InlineData("InstanceLimitExceeded", "Your quota allows for 0 more running instance(s). You requested at least 1.", 400, CloudErrorKind.QuotaExceeded)]
    [InlineData("VcpuLimitExceeded", "You have requested more vCPU capacity than your current vCPU limit of 32 allows.", 400, CloudErrorKind.QuotaExceeded)]
    [InlineData("UnauthorizedOperation", "You are not authorized to perform this operation.", 403, CloudErrorKind.Unauthorized)]
    [InlineData("AuthFailure", "AWS was not able to validate the provided access credentials", 401, CloudErrorKind.Unauthorized)]
    [InlineData("InvalidParameterValue", "Invalid value 'x' for InstanceType.", 400, CloudErrorKind.InvalidRequest)]
    [InlineData("Unsupported", "Your requested instance type (g5.xlarge) is not supported in your requested Availability Zone (us-east-1a).", 400, CloudErrorKind.InvalidRequest)]
    [InlineData("InvalidAMIID.NotFound", "The image id '[ami-0a1b2c3d4e5f60718]' does not exist", 400, CloudErrorKind.InvalidRequest)]
    public async Task A_RunInstances_error_code_becomes_its_kind(string code, string message, int status, CloudErrorKind kind)
    {
        // InsufficientInstanceCapacity is one of the few client errors EC2 sends with a 500; it must not be retried as a server error.
        cloud.Emulator.FailNext("RunInstances", code, message, (HttpStatusCode)status);
        var error = await LaunchFailsAsync(Spot);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(code, error.CloudCode);
        Assert.Contains(message, error.Message);
    }

    [Theory]
    [InlineData("InsufficientInstanceCapacity", true)]
    [InlineData("SpotMaxPriceTooLow", true)]
    [InlineData("Unsupported", true)]
    [InlineData("VcpuLimitExceeded", false)]
    [InlineData("InvalidParameterValue", false)]
    public async Task Only_capacity_price_and_unsupported_errors_shun_the_offering(string code, bool shunned)
    {
        cloud.Emulator.FailNext("RunInstances", code, "refused");
        await LaunchFailsAsync(Spot);
        var offerings = await provider.ListOfferingsAsync(CancellationToken.None);
        Assert.Equal(!shunned, Assert.Single(offerings, o => o.Key == Spot).Available);
        Assert.True(Assert.Single(offerings, o => o.Key == OnDemand).Available);
    }

    [Fact]
    public async Task Spot_capacity_running_out_is_InsufficientInstanceCapacity()
    {
        cloud.World.SetSpotCapacity("us-east-1a", 1);
        await provider.LaunchAsync(AwsTestCloud.Launch(Spot), CancellationToken.None);
        var error = await LaunchFailsAsync(Spot);
        Assert.Equal((CloudErrorKind.InsufficientCapacity, "InsufficientInstanceCapacity"), (error.Kind, error.CloudCode));
        // On demand in the same zone is another pool.
        await provider.LaunchAsync(AwsTestCloud.Launch(OnDemand), CancellationToken.None);
    }

    [Fact]
    public async Task The_spot_vcpu_quota_is_MaxSpotInstanceCountExceeded()
    {
        cloud.World.SetVcpuLimits(onDemand: null, spot: 4);
        await provider.LaunchAsync(AwsTestCloud.Launch(Spot), CancellationToken.None); // g5.xlarge: 4 vCPUs
        var error = await LaunchFailsAsync(Spot);
        Assert.Equal((CloudErrorKind.QuotaExceeded, "MaxSpotInstanceCountExceeded"), (error.Kind, error.CloudCode));
    }

    [Fact]
    public async Task The_on_demand_vcpu_quota_is_VcpuLimitExceeded()
    {
        cloud.World.SetVcpuLimits(onDemand: 6, spot: null);
        await provider.LaunchAsync(AwsTestCloud.Launch(OnDemand), CancellationToken.None);
        var error = await LaunchFailsAsync(OnDemand);
        Assert.Equal((CloudErrorKind.QuotaExceeded, "VcpuLimitExceeded"), (error.Kind, error.CloudCode));
    }

    [Fact]
    public async Task A_type_the_zone_does_not_sell_is_Unsupported()
    {
        // g6.xlarge is not sold in use1-az5, which this account calls us-east-1f.
        var error = await LaunchFailsAsync(AwsTestCloud.Key("us-east-1f", "g6.xlarge", spot: false));
        Assert.Equal((CloudErrorKind.InvalidRequest, "Unsupported"), (error.Kind, error.CloudCode));
    }

    [Fact]
    public async Task A_wrong_secret_is_SignatureDoesNotMatch()
    {
        var wrong = cloud.Provider(credentials: new BasicAWSCredentials(AwsTestCloud.AccessKey, "not-the-secret"));
        var error = await LaunchFailsAsync(OnDemand, wrong);
        Assert.Equal((CloudErrorKind.Unauthorized, "SignatureDoesNotMatch"), (error.Kind, error.CloudCode));
        Assert.Equal(403, Assert.Single(cloud.Emulator.RequestsFor("RunInstances")).Status);
    }

    [Fact]
    public async Task An_unknown_access_key_is_AuthFailure()
    {
        var stranger = cloud.Provider(credentials: new BasicAWSCredentials("AKIDNOBODYKNOWS00000", "whatever"));
        var error = await Assert.ThrowsAsync<CloudProviderException>(() => stranger.ListAsync(new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal((CloudErrorKind.Unauthorized, "AuthFailure"), (error.Kind, error.CloudCode));
        Assert.All(cloud.Emulator.RequestsFor("DescribeInstances"), r => Assert.Equal(401, r.Status));
    }

    [Fact]
    public async Task A_key_whose_policy_lacks_the_action_is_UnauthorizedOperation()
    {
        cloud.Emulator.Deny(AwsTestCloud.AccessKey, "RunInstances");
        var error = await LaunchFailsAsync(OnDemand);
        Assert.Equal((CloudErrorKind.Unauthorized, "UnauthorizedOperation"), (error.Kind, error.CloudCode));
        Assert.Empty(await provider.ListAsync(new Dictionary<string, string>(), CancellationToken.None)); // DescribeInstances is still allowed
    }

    [Fact]
    public async Task A_clock_off_by_more_than_five_minutes_is_corrected_by_the_SDK()
    {
        // EC2's clock (its Date header) is ten minutes ahead of ours: the first signature has expired; the SDK
        // reads the skew off the answer and signs again with the corrected time.
        await using var ahead = await AwsTestCloud.StartAsync(o => o with { SigningClock = new SkyServe.Testing.ManualClock(DateTimeOffset.UtcNow + TimeSpan.FromMinutes(10)) });
        var launched = await ahead.Provider().LaunchAsync(AwsTestCloud.Launch(OnDemand), CancellationToken.None);
        var attempts = ahead.Emulator.RequestsFor("RunInstances");
        Assert.Equal(["RequestExpired", null], attempts.Select(a => a.ErrorCode));
        Assert.Equal(launched.Id, Assert.Single(ahead.World.Instances).InstanceId);
    }

    [Fact]
    public async Task An_unknown_image_is_an_invalid_request()
    {
        var options = cloud.Options();
        options.Regions[AwsTestCloud.Region] = options.Regions[AwsTestCloud.Region] with { ImageId = "ami-00000000000000000" };
        var error = await LaunchFailsAsync(OnDemand, cloud.Provider(options));
        Assert.Equal((CloudErrorKind.InvalidRequest, "InvalidAMIID.NotFound"), (error.Kind, error.CloudCode));
    }

    [Fact]
    public async Task Terminating_an_unknown_instance_is_success()
    {
        // InvalidInstanceID.NotFound (well-formed id) and InvalidInstanceID.Malformed both mean: not there.
        await provider.TerminateAsync("i-0123456789abcdef0", CancellationToken.None);
        await provider.TerminateAsync("never-existed", CancellationToken.None);
        var answers = cloud.Emulator.RequestsFor("TerminateInstances").Select(r => r.ErrorCode).ToList();
        Assert.Equal(["InvalidInstanceID.NotFound", "InvalidInstanceID.NotFound", "InvalidInstanceID.Malformed", "InvalidInstanceID.Malformed"], answers); // both regions asked
        Assert.Null(await provider.GetAsync("i-0123456789abcdef0", CancellationToken.None));
    }

    [Theory]
    [InlineData("RequestLimitExceeded", "Request limit exceeded.", 503)]
    [InlineData("InternalError", "An internal error has occurred.", 500)]
    [InlineData("Unavailable", "The server is overloaded and can't handle the request.", 503)]
    public async Task Throttling_and_server_errors_are_retried(string code, string message, int status)
    {
        cloud.Emulator.FailNext("RunInstances", code, message, (HttpStatusCode)status, times: 2);
        var machine = await provider.LaunchAsync(AwsTestCloud.Launch(OnDemand, token: "retried-launch"), CancellationToken.None);
        var attempts = cloud.Emulator.RequestsFor("RunInstances");
        Assert.Equal([code, code, null], attempts.Select(a => a.ErrorCode));
        Assert.All(attempts, a => Assert.Equal("retried-launch", a["ClientToken"])); // the same token each time: one machine at most
        Assert.Single(cloud.World.Instances, i => i.InstanceId == machine.Id);
    }

    [Fact]
    public async Task Throttling_that_outlasts_the_retries_is_raised_untyped()
    {
        cloud.Emulator.FailNext("DescribeInstances", "RequestLimitExceeded", "Request limit exceeded.", HttpStatusCode.ServiceUnavailable, times: 10);
        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => provider.GetAsync("i-0123456789abcdef0", CancellationToken.None));
        Assert.Equal("RequestLimitExceeded", error.ErrorCode);
        Assert.Equal(3, cloud.Emulator.RequestsFor("DescribeInstances").Count); // MaxAttempts
    }

    [Fact]
    public async Task Cancelling_a_call_ends_its_retries()
    {
        var patient = cloud.Provider(cloud.Options() with { MaxAttempts = 50, RetryMaxDelay = TimeSpan.FromSeconds(20) });
        cloud.Emulator.FailNext("DescribeInstances", "RequestLimitExceeded", "Request limit exceeded.", HttpStatusCode.ServiceUnavailable, times: 50);
        using var cts = new CancellationTokenSource();
        var call = patient.GetAsync("i-0123456789abcdef0", cts.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (cloud.Emulator.RequestsFor("DescribeInstances").Count == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.InRange(cloud.Emulator.RequestsFor("DescribeInstances").Count, 1, 49);
    }

    [Fact]
    public void Unlisted_codes_fall_into_their_family()
    {
        static CloudErrorKind Kind(string code, HttpStatusCode status) =>
            Ec2ErrorMapping.KindOf(new AmazonEC2Exception("", ErrorType.Sender, code, null, status));
        Assert.Equal(CloudErrorKind.InvalidRequest, Kind("InvalidSubnetID.NotFound", HttpStatusCode.BadRequest));
        Assert.Equal(CloudErrorKind.InvalidRequest, Kind("InvalidKeyPair.NotFound", HttpStatusCode.BadRequest));
        Assert.Equal(CloudErrorKind.Unauthorized, Kind("SomethingForbidden", HttpStatusCode.Forbidden));
        Assert.Equal(CloudErrorKind.NotFound, Kind("InvalidInstanceID.Malformed", HttpStatusCode.BadRequest));
    }
}
