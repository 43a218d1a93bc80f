using Azure;
using SkyServe.Providers.Azure;

namespace SkyServe.Providers.Tests.Azure;

/// <summary>Every ARM and Compute RP failure the provider maps, produced by the emulator as ARM produces it.</summary>
public sealed class AzureErrorTests : IAsyncLifetime
{
    private AzureTestbed testbed = null!;
    private AzureCloudProvider provider = null!;

    public async Task InitializeAsync()
    {
        testbed = await AzureTestbed.StartAsync();
        provider = testbed.Provider();
    }

    public async Task DisposeAsync() => await testbed.DisposeAsync();

    private static OfferingKey Spot => AzureTestbed.Offering(AzureTestbed.Zone, "Standard_NC4as_T4_v3", spot: true);
    private static OfferingKey OnDemand => AzureTestbed.Offering(AzureTestbed.Zone, "Standard_NC4as_T4_v3", spot: false);

    private static LaunchRequest Request(OfferingKey offering) =>
        new($"token-{Guid.NewGuid():N}", offering, new Dictionary<string, string> { [MachineTags.ManagedBy] = "skyserve" });

    private async Task<CloudProviderException> FailsAsync(OfferingKey offering, AzureCloudProvider? with = null) =>
        await Assert.ThrowsAsync<CloudProviderException>(() => (with ?? provider).LaunchAsync(Request(offering), CancellationToken.None));

    [Theory]
    [InlineData("eastus-1", "ZonalAllocationFailed")]
    [InlineData("eastus-1", "OverconstrainedZonalAllocationRequest")]
    [InlineData("eastus", "AllocationFailed")]
    public async Task An_allocation_failure_is_insufficient_capacity_shuns_the_offering_and_deletes_the_failed_vm(string zone, string code)
    {
        testbed.Arm.ZonalAllocationCode = code;
        testbed.Arm.SetCapacity(AzureTestbed.Region, zone == AzureTestbed.Region ? "" : "1", spot: true, vms: 0);
        var offering = Spot with { Zone = zone };
        var error = await FailsAsync(offering);
        Assert.Equal(CloudErrorKind.InsufficientCapacity, error.Kind);
        Assert.Equal(code, error.CloudCode);
        Assert.Contains("Allocation failed", error.Message, StringComparison.Ordinal);
        Assert.False((await provider.ListOfferingsAsync(CancellationToken.None)).SingleOrDefault(o => o.Key == offering)?.Available ?? false);
        // ARM keeps a VM whose allocation failed (provisioningState Failed); the provider deletes it.
        Assert.Contains(testbed.Arm.Requests, r => r.Method == "DELETE");
        testbed.Arm.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(await provider.ListAsync(new Dictionary<string, string>(), CancellationToken.None));
    }

    [Fact]
    public async Task A_size_not_available_in_the_location_is_insufficient_capacity()
    {
        testbed.Arm.RestrictSku(AzureTestbed.Region, "Standard_NC4as_T4_v3");
        var error = await FailsAsync(OnDemand);
        Assert.Equal(CloudErrorKind.InsufficientCapacity, error.Kind);
        Assert.Equal("SkuNotAvailable", error.CloudCode);
        Assert.False((await provider.ListOfferingsAsync(CancellationToken.None)).Single(o => o.Key == OnDemand).Available);
        Assert.DoesNotContain(testbed.Arm.Requests, r => r.Method == "DELETE"); // nothing was created
    }

    [Fact]
    public async Task A_cores_quota_refusal_is_quota_exceeded_and_other_refusals_are_invalid()
    {
        testbed.Arm.VmQuota = 0;
        var error = await FailsAsync(Spot);
        Assert.Equal(CloudErrorKind.QuotaExceeded, error.Kind);
        Assert.Equal("OperationNotAllowed", error.CloudCode);
        Assert.Contains("LowPriorityCores quota", error.Message, StringComparison.Ordinal);

        testbed.Arm.VmQuota = int.MaxValue;
        testbed.Arm.FailNext(409, "OperationNotAllowed", "The operation is not allowed on a VM that is being migrated.", "PUT");
        error = await FailsAsync(Spot);
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
    }

    [Fact]
    public async Task Missing_rbac_actions_are_unauthorized()
    {
        testbed.Arm.Deny("Microsoft.Compute/virtualMachines/write");
        var error = await FailsAsync(Spot);
        Assert.Equal(CloudErrorKind.Unauthorized, error.Kind);
        Assert.Equal("AuthorizationFailed", error.CloudCode);
        Assert.Contains("Microsoft.Compute/virtualMachines/write", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subnet_the_caller_may_not_join_is_unauthorized()
    {
        testbed.Arm.Deny("Microsoft.Network/virtualNetworks/subnets/join/action");
        var error = await FailsAsync(Spot);
        Assert.Equal(CloudErrorKind.Unauthorized, error.Kind);
        Assert.Equal("LinkedAuthorizationFailed", error.CloudCode);
    }

    [Fact]
    public async Task A_wrong_client_secret_is_unauthorized()
    {
        var impostor = testbed.Provider(credential: testbed.Credential("not-the-secret"));
        var error = await FailsAsync(Spot, impostor);
        Assert.Equal(CloudErrorKind.Unauthorized, error.Kind);
        Assert.Equal("invalid_client", error.CloudCode);
        Assert.Contains("AADSTS7000215", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, testbed.Arm.TokensIssued);
    }

    [Fact]
    public async Task A_token_arm_no_longer_accepts_is_unauthorized()
    {
        var machine = await provider.LaunchAsync(Request(OnDemand), CancellationToken.None);
        testbed.Arm.RevokeTokens();
        var error = await Assert.ThrowsAsync<CloudProviderException>(() => provider.GetAsync(machine.Id, CancellationToken.None));
        Assert.Equal(CloudErrorKind.Unauthorized, error.Kind);
        Assert.Equal("InvalidAuthenticationToken", error.CloudCode);
    }

    [Fact]
    public async Task A_missing_resource_group_is_not_found()
    {
        var elsewhere = testbed.Provider(testbed.Options with { ResourceGroup = "no-such-group" });
        var error = await FailsAsync(Spot, elsewhere);
        Assert.Equal(CloudErrorKind.NotFound, error.Kind);
        Assert.Equal("ResourceGroupNotFound", error.CloudCode);
        error = await Assert.ThrowsAsync<CloudProviderException>(() => elsewhere.ListAsync(new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal(CloudErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task Invalid_parameters_and_references_are_invalid_requests()
    {
        var error = await FailsAsync(Spot with { InstanceType = "Standard_Imaginary_v9" });
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("InvalidParameter", error.CloudCode);

        var missingSubnet = testbed.Provider(testbed.Options with
        {
            Subnets = new Dictionary<string, string> { [AzureTestbed.Region] = testbed.Subnet.Replace("replicas", "nowhere", StringComparison.Ordinal) },
        });
        error = await FailsAsync(Spot, missingSubnet);
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("InvalidResourceReference", error.CloudCode);

        error = await FailsAsync(Spot with { Region = "westeurope", Zone = "westeurope-1" }); // no subnet configured there
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);

        var badTags = new LaunchRequest("token-bad-tags", Spot, new Dictionary<string, string> { ["a/b"] = "c" });
        error = await Assert.ThrowsAsync<CloudProviderException>(() => provider.LaunchAsync(badTags, CancellationToken.None));
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
    }

    [Fact]
    public async Task Throttling_and_server_errors_are_retried_by_the_sdk()
    {
        testbed.Arm.FailNext(500, "InternalServerError", "An internal execution error occurred.", "PUT", times: 2);
        testbed.Arm.FailNext(429, "TooManyRequests", "The request is being throttled.", "GET", "/operations/", retryAfterSeconds: 0);
        var machine = await provider.LaunchAsync(Request(Spot), CancellationToken.None);
        Assert.Equal(MachineState.Running, machine.State);
        Assert.Equal(3, testbed.Arm.Requests.Count(r => r.Method == "PUT"));
        Assert.Equal(1, testbed.Arm.LiveVms);
    }

    [Fact]
    public async Task Server_errors_that_outlast_the_sdks_retries_are_transient_not_typed()
    {
        testbed.Arm.FailNext(503, "ServerBusy", "The server is busy.", "GET", "/virtualMachines", times: 10);
        var error = await Assert.ThrowsAsync<RequestFailedException>(() => provider.ListAsync(new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal(503, error.Status);
    }
}
