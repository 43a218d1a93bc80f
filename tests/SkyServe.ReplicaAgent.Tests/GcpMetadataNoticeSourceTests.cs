using SkyServe.Contracts.Notices;
using System.Net;
using SkyServe.ReplicaAgent.Interruption;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>The GCP metadata client in-process against the emulator, with a manual clock for the assumed deadline.</summary>
public sealed class GcpMetadataNoticeSourceTests : IAsyncLifetime
{
    private readonly ManualTimeProvider time = new();
    private GcpMetadataEmulator gcp = null!;
    private GcpMetadataNoticeSource source = null!;

    public async Task InitializeAsync()
    {
        gcp = await GcpMetadataEmulator.StartAsync("m-1");
        source = new GcpMetadataNoticeSource(gcp.BaseUrl, time);
    }

    public async Task DisposeAsync()
    {
        source.Dispose();
        await gcp.DisposeAsync();
    }

    [Fact]
    public async Task Not_preempted_and_no_maintenance_is_null()
    {
        Assert.Null(await source.CheckAsync(CancellationToken.None));
        gcp.SetMaintenanceEvent("MIGRATE_ON_HOST_MAINTENANCE"); // a live migration keeps the VM
        Assert.Null(await source.CheckAsync(CancellationToken.None));
        Assert.Equal("gcp", source.Name);
        Assert.Equal(0, gcp.RefusedRequests);
    }

    [Fact]
    public async Task Preempted_is_a_termination_30_seconds_after_it_was_seen()
    {
        gcp.SetPreempted("TRUE");
        var notice = await source.CheckAsync(CancellationToken.None);
        Assert.Equal(new ScheduledInterruption(InterruptionAction.Terminate, time.GetUtcNow().AddSeconds(30), InterruptionKind.Preemption), notice);
    }

    [Fact]
    public async Task Terminate_on_host_maintenance_is_a_maintenance_notice_60_seconds_ahead()
    {
        gcp.SetMaintenanceEvent("TERMINATE_ON_HOST_MAINTENANCE");
        var notice = await source.CheckAsync(CancellationToken.None);
        Assert.Equal(new ScheduledInterruption(InterruptionAction.Terminate, time.GetUtcNow().AddSeconds(60), InterruptionKind.Maintenance), notice);
    }

    [Fact]
    public async Task A_value_that_is_not_TRUE_or_FALSE_is_an_error()
    {
        gcp.SetPreempted("<html>maintenance</html>");
        var error = await Assert.ThrowsAsync<MetadataServiceException>(() => source.CheckAsync(CancellationToken.None));
        Assert.Contains("not TRUE or FALSE", error.Message);
    }

    [Fact]
    public async Task An_answer_without_Metadata_Flavor_is_not_the_metadata_server()
    {
        gcp.OmitFlavorHeader();
        gcp.SetPreempted("TRUE");
        var error = await Assert.ThrowsAsync<MetadataServiceException>(() => source.CheckAsync(CancellationToken.None));
        Assert.Contains("not a GCP metadata server", error.Message);
    }

    [Fact]
    public async Task A_server_error_is_an_error_that_names_the_status_and_url()
    {
        gcp.FailWith(HttpStatusCode.ServiceUnavailable);
        var error = await Assert.ThrowsAsync<MetadataServiceException>(() => source.CheckAsync(CancellationToken.None));
        Assert.Contains("503", error.Message);
        Assert.Contains("/machines/m-1/computeMetadata/v1/instance/preempted", error.Message);
    }

    [Fact]
    public async Task The_emulator_refuses_requests_without_the_flavor_header_as_GCP_does()
    {
        using var http = LoopbackHttp.NewClient();
        using var bare = await http.GetAsync(new Uri(gcp.BaseUrl + "/computeMetadata/v1/instance/preempted"));
        Assert.Equal(HttpStatusCode.Forbidden, bare.StatusCode);
        Assert.Contains("Missing Metadata-Flavor:Google header", await bare.Content.ReadAsStringAsync());

        using var request = new HttpRequestMessage(HttpMethod.Get, gcp.BaseUrl + "/computeMetadata/v1/instance/preempted");
        request.Headers.Add("Metadata-Flavor", "Google");
        using var answered = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("FALSE", await answered.Content.ReadAsStringAsync());
        Assert.Equal("Google", answered.Headers.GetValues("Metadata-Flavor").Single());
        Assert.Equal(1, gcp.RefusedRequests);
    }
}
