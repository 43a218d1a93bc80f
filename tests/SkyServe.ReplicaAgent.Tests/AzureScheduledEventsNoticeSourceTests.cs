using SkyServe.Contracts.Notices;
using System.Net;
using SkyServe.ReplicaAgent.Interruption;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>The Azure Scheduled Events client in-process against the emulator.</summary>
public sealed class AzureScheduledEventsNoticeSourceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset NotBefore = new(2016, 9, 19, 18, 29, 47, TimeSpan.Zero);
    private readonly ManualTimeProvider time = new();
    private AzureMetadataEmulator azure = null!;
    private AzureScheduledEventsNoticeSource source = null!;

    public async Task InitializeAsync()
    {
        azure = await AzureMetadataEmulator.StartAsync("vm-1");
        source = new AzureScheduledEventsNoticeSource(azure.BaseUrl, time);
    }

    public async Task DisposeAsync()
    {
        source.Dispose();
        await azure.DisposeAsync();
    }

    [Fact]
    public async Task No_events_is_null_and_the_vm_name_is_asked_once()
    {
        Assert.Null(await source.CheckAsync(CancellationToken.None));
        Assert.Null(await source.CheckAsync(CancellationToken.None));
        Assert.Equal(1, azure.NameRequests);
        Assert.Equal(2, azure.NoticeRequests);
        Assert.Equal("azure", source.Name);
        Assert.Equal(0, azure.RefusedRequests);
    }

    [Fact]
    public async Task A_preempt_event_for_this_vm_is_a_notice_for_its_NotBefore_and_is_not_acknowledged()
    {
        azure.AddEvent("Preempt", ["vm-1"], NotBefore);
        var notice = await source.CheckAsync(CancellationToken.None);
        Assert.Equal(new ScheduledInterruption(InterruptionAction.Terminate, NotBefore, InterruptionKind.Preemption), notice);
        Assert.Empty(azure.Acknowledged); // the agent wants the whole notice
    }

    [Fact]
    public async Task Events_for_other_vms_and_events_that_keep_the_vm_are_ignored()
    {
        azure.AddEvent("Preempt", ["vm-2"], NotBefore); // same availability set, another VM
        azure.AddEvent("Reboot", ["vm-1"], NotBefore);
        azure.AddEvent("Freeze", ["vm-1"], NotBefore);
        azure.AddEvent("Redeploy", ["vm-1"], NotBefore);
        Assert.Null(await source.CheckAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_terminate_event_counts_and_the_earliest_deadline_wins()
    {
        azure.AddEvent("Terminate", ["vm-0", "VM-1"], NotBefore.AddMinutes(5), source: "User");
        azure.AddEvent("Preempt", ["vm-1"], NotBefore.AddMinutes(1));
        var notice = await source.CheckAsync(CancellationToken.None);
        Assert.Equal(new ScheduledInterruption(InterruptionAction.Terminate, NotBefore.AddMinutes(1), InterruptionKind.Preemption), notice);
    }

    [Fact]
    public async Task A_started_event_without_NotBefore_is_due_now()
    {
        azure.AddEvent("Terminate", ["vm-1"], notBefore: null, status: "Started");
        var notice = await source.CheckAsync(CancellationToken.None);
        Assert.Equal(new ScheduledInterruption(InterruptionAction.Terminate, time.GetUtcNow(), InterruptionKind.Termination), notice);
    }

    [Fact]
    public async Task A_server_error_is_an_error_that_names_the_status()
    {
        azure.FailWith(HttpStatusCode.InternalServerError);
        var error = await Assert.ThrowsAsync<MetadataServiceException>(() => source.CheckAsync(CancellationToken.None));
        Assert.Contains("500", error.Message);
        Assert.Contains("/machines/vm-1/metadata/instance/compute/name", error.Message);
    }

    [Fact]
    public async Task The_emulator_refuses_requests_without_the_metadata_header_as_IMDS_does()
    {
        using var http = LoopbackHttp.NewClient();
        var url = azure.BaseUrl + "/metadata/scheduledevents?api-version=2020-07-01";
        using var bare = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.Contains("Required metadata header not specified", await bare.Content.ReadAsStringAsync());

        using var noVersion = new HttpRequestMessage(HttpMethod.Get, azure.BaseUrl + "/metadata/scheduledevents");
        noVersion.Headers.Add("Metadata", "true");
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(noVersion)).StatusCode);

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("Metadata", "true");
        using var answered = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        Assert.Equal("""{"DocumentIncarnation":1,"Events":[]}""", await answered.Content.ReadAsStringAsync());
        Assert.Equal(2, azure.RefusedRequests);
    }
}
