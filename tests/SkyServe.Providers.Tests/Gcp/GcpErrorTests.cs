using System.Text.Json.Nodes;
using SkyServe.Providers.Gcp;

namespace SkyServe.Providers.Tests.Gcp;

/// <summary>Every Compute Engine failure the provider maps, produced by the emulator as GCE produces it.</summary>
public sealed class GcpErrorTests : IAsyncLifetime
{
    private GcpTestbed testbed = null!;
    private GcpCloudProvider provider = null!;

    public async Task InitializeAsync()
    {
        testbed = await GcpTestbed.StartAsync();
        provider = await testbed.ProviderAsync();
    }

    public async Task DisposeAsync()
    {
        provider.Dispose();
        await testbed.DisposeAsync();
    }

    private static LaunchRequest Request(OfferingKey offering) =>
        new($"token-{Guid.NewGuid():N}", offering, new Dictionary<string, string> { [MachineTags.ManagedBy] = "skyserve" });

    private static OfferingKey Spot => GcpTestbed.Offering(GcpTestbed.Zone, "n1-standard-4", spot: true);
    private static OfferingKey OnDemand => GcpTestbed.Offering(GcpTestbed.Zone, "n1-standard-4", spot: false);

    private async Task<CloudProviderException> FailsAsync(OfferingKey offering, GcpCloudProvider? with = null) =>
        await Assert.ThrowsAsync<CloudProviderException>(() => (with ?? provider).LaunchAsync(Request(offering), CancellationToken.None));

    [Theory]
    [InlineData("ZONE_RESOURCE_POOL_EXHAUSTED", true)]
    [InlineData("ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS", true)]
    [InlineData("ZONE_RESOURCE_POOL_EXHAUSTED", false)]
    public async Task A_stockout_in_the_operation_is_insufficient_capacity_and_shuns_the_offering(string code, bool spot)
    {
        testbed.Gce.StockoutCode = code;
        testbed.Gce.SetCapacity(GcpTestbed.Zone, spot, 0);
        var offering = spot ? Spot : OnDemand;
        var error = await FailsAsync(offering);
        Assert.Equal(CloudErrorKind.InsufficientCapacity, error.Kind);
        Assert.Equal(code, error.CloudCode);
        Assert.Contains("does not have enough resources", error.Message, StringComparison.Ordinal);
        var offerings = await provider.ListOfferingsAsync(CancellationToken.None);
        Assert.False(offerings.Single(o => o.Key == offering).Available);
        Assert.True(offerings.Single(o => o.Key == offering with { Spot = !spot }).Available);
        Assert.Equal(0, testbed.Gce.LiveInstances);
    }

    [Fact]
    public async Task Quota_in_the_operation_and_a_quota_refusal_of_the_call_are_quota_exceeded()
    {
        testbed.Gce.InstanceQuota = 0;
        var error = await FailsAsync(OnDemand);
        Assert.Equal(CloudErrorKind.QuotaExceeded, error.Kind);
        Assert.Equal("QUOTA_EXCEEDED", error.CloudCode);
        Assert.Contains("Quota 'INSTANCES' exceeded", error.Message, StringComparison.Ordinal);
        Assert.True((await provider.ListOfferingsAsync(CancellationToken.None)).Single(o => o.Key == OnDemand).Available);

        testbed.Gce.InstanceQuota = int.MaxValue;
        testbed.Gce.FailNext(403, "quotaExceeded", "Quota 'CPUS' exceeded.  Limit: 24.0 in region us-central1.", "POST", "/instances");
        error = await FailsAsync(OnDemand);
        Assert.Equal(CloudErrorKind.QuotaExceeded, error.Kind);
        Assert.Equal("quotaExceeded", error.CloudCode);
    }

    [Fact]
    public async Task A_missing_iam_permission_is_unauthorized()
    {
        testbed.Gce.Deny("compute.instances.create");
        var error = await FailsAsync(Spot);
        Assert.Equal(CloudErrorKind.Unauthorized, error.Kind);
        Assert.Equal("forbidden", error.CloudCode);
        Assert.Contains("Required 'compute.instances.create' permission", error.Message, StringComparison.Ordinal);

        testbed.Gce.Deny("compute.instances.list");
        error = await Assert.ThrowsAsync<CloudProviderException>(() => provider.ListAsync(new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal(CloudErrorKind.Unauthorized, error.Kind);
    }

    [Fact]
    public async Task A_token_the_api_no_longer_accepts_is_unauthorized()
    {
        var machine = await provider.LaunchAsync(Request(OnDemand), CancellationToken.None);
        testbed.Gce.RevokeTokens();
        var error = await Assert.ThrowsAsync<CloudProviderException>(() => provider.GetAsync(machine.Id, CancellationToken.None));
        Assert.Equal(CloudErrorKind.Unauthorized, error.Kind);
        Assert.Equal("authError", error.CloudCode);
    }

    [Fact]
    public async Task A_key_the_token_endpoint_does_not_trust_is_unauthorized()
    {
        // Same account, another private key: the JWT's signature does not verify.
        var key = JsonNode.Parse(await File.ReadAllTextAsync(testbed.KeyFile))!.AsObject();
        using var other = System.Security.Cryptography.RSA.Create(2048);
        key["private_key"] = other.ExportPkcs8PrivateKeyPem();
        var forged = Path.Combine(Path.GetDirectoryName(testbed.KeyFile)!, "forged.json");
        await File.WriteAllTextAsync(forged, key.ToJsonString());
        using var impostor = await testbed.ProviderAsync(testbed.Options with { CredentialFile = forged });
        var error = await FailsAsync(Spot, impostor);
        Assert.Equal(CloudErrorKind.Unauthorized, error.Kind);
        Assert.Equal("invalid_grant", error.CloudCode);
        Assert.Contains("Invalid JWT Signature", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, testbed.Gce.TokensIssued);
    }

    [Fact]
    public async Task An_unknown_project_is_not_found()
    {
        using var elsewhere = await testbed.ProviderAsync(testbed.Options with { Project = "no-such-project" });
        var error = await FailsAsync(Spot, elsewhere);
        Assert.Equal(CloudErrorKind.NotFound, error.Kind);
        Assert.Equal("notFound", error.CloudCode);
        error = await Assert.ThrowsAsync<CloudProviderException>(() => elsewhere.ListAsync(new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal(CloudErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task Invalid_requests_are_invalid()
    {
        var error = await FailsAsync(Spot with { InstanceType = "n9-imaginary-4" });
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
        Assert.Equal("invalid", error.CloudCode);
        Assert.Contains("Machine type with name 'n9-imaginary-4' does not exist", error.Message, StringComparison.Ordinal);

        error = await FailsAsync(Spot with { Zone = "mars-north1-a", Region = "mars-north1" });
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);

        error = await FailsAsync(Spot with { Cloud = "aws" });
        Assert.Equal(CloudErrorKind.InvalidRequest, error.Kind);
    }

    [Fact]
    public async Task Throttling_and_server_errors_are_retried_and_the_retried_insert_keeps_its_request_id()
    {
        testbed.Gce.FailNext(503, "backendError", "The service is currently unavailable.", "POST", "/instances", times: 2);
        testbed.Gce.FailNext(429, "rateLimitExceeded", "Rate Limit Exceeded", "POST", "/wait", retryAfterSeconds: 0);
        testbed.Gce.FailNext(403, "rateLimitExceeded", "Rate Limit Exceeded", "GET", "/instances/");
        var machine = await provider.LaunchAsync(Request(Spot), CancellationToken.None);
        Assert.NotNull(machine);
        var inserts = testbed.Gce.Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/instances", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, inserts.Count);
        Assert.Single(inserts.Select(r => r.Query).Distinct());
        Assert.Equal(1, testbed.Gce.LiveInstances);
    }

    [Fact]
    public async Task Server_errors_that_outlast_every_attempt_are_transient_not_typed()
    {
        testbed.Gce.FailNext(500, "backendError", "Internal error.", "GET", "/aggregated/", times: 10);
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => provider.ListAsync(new Dictionary<string, string>(), CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal(4, testbed.Gce.Requests.Count(r => r.Path.Contains("/aggregated/", StringComparison.Ordinal)));
    }
}
