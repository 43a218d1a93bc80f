using System.Net;
using System.Text.Json.Nodes;
using SkyServe.Providers.Local;

namespace SkyServe.Providers.Tests;

/// <summary>The Local provider's metadata server in each cloud's wire format, refusing what the real services refuse.</summary>
public sealed class MetadataServerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Deadline = new(2026, 3, 1, 12, 0, 30, 900, TimeSpan.Zero);
    private readonly HttpClient http = new(new SocketsHttpHandler { UseProxy = false });
    private MetadataServer server = null!;

    public async Task InitializeAsync() => server = await MetadataServer.StartAsync(0);

    public async Task DisposeAsync()
    {
        http.Dispose();
        await server.DisposeAsync();
    }

    private Task<HttpResponseMessage> GetAsync(string machine, string path, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"{server.UrlFor(machine)}/{path}");
        foreach (var (name, value) in headers)
            request.Headers.Add(name, value);
        return http.SendAsync(request);
    }

    [Fact]
    public async Task Gcp_preempted_turns_TRUE_with_the_notice_and_needs_the_flavor_header()
    {
        const string path = "computeMetadata/v1/instance/preempted";
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync("m-1", path)).StatusCode);
        var before = await GetAsync("m-1", path, ("Metadata-Flavor", "Google"));
        Assert.Equal("FALSE", await before.Content.ReadAsStringAsync());
        Assert.Equal("Google", before.Headers.GetValues("Metadata-Flavor").Single());
        Assert.Equal("NONE", await (await GetAsync("m-1", "computeMetadata/v1/instance/maintenance-event", ("Metadata-Flavor", "Google"))).Content.ReadAsStringAsync());

        server.PostNotice("m-1", Deadline);

        Assert.Equal("TRUE", await (await GetAsync("m-1", path, ("Metadata-Flavor", "Google"))).Content.ReadAsStringAsync());
        Assert.Equal("FALSE", await (await GetAsync("m-2", path, ("Metadata-Flavor", "Google"))).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Azure_scheduled_events_carry_a_preempt_event_for_the_machine_and_need_the_metadata_header()
    {
        const string path = "metadata/scheduledevents?api-version=2020-07-01";
        var refused = await GetAsync("m-1", path);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Required metadata header not specified", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await GetAsync("m-1", "metadata/scheduledevents", ("Metadata", "true"))).StatusCode);
        Assert.Equal("""{"DocumentIncarnation":1,"Events":[]}""", await (await GetAsync("m-1", path, ("Metadata", "true"))).Content.ReadAsStringAsync());
        Assert.Equal("m-1", await (await GetAsync("m-1", "metadata/instance/compute/name?api-version=2021-02-01&format=text", ("Metadata", "true"))).Content.ReadAsStringAsync());

        server.PostNotice("m-1", Deadline);

        var document = JsonNode.Parse(await (await GetAsync("m-1", path, ("Metadata", "true"))).Content.ReadAsStringAsync())!;
        Assert.Equal(2, document["DocumentIncarnation"]!.GetValue<int>());
        var e = Assert.Single(document["Events"]!.AsArray())!;
        Assert.Equal("Preempt", e["EventType"]!.GetValue<string>());
        Assert.Equal("Scheduled", e["EventStatus"]!.GetValue<string>());
        Assert.Equal("VirtualMachine", e["ResourceType"]!.GetValue<string>());
        Assert.Equal("m-1", Assert.Single(e["Resources"]!.AsArray())!.GetValue<string>());
        Assert.Equal("Sun, 01 Mar 2026 12:00:30 GMT", e["NotBefore"]!.GetValue<string>()); // whole seconds, never later than the deadline
        Assert.True(Guid.TryParse(e["EventId"]!.GetValue<string>(), out _));
    }

    [Fact]
    public async Task Aws_instance_action_needs_a_session_token()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync("m-1", "latest/meta-data/spot/instance-action")).StatusCode);
    }
}
