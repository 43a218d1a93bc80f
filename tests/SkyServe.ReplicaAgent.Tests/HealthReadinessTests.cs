using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// A spec whose readiness probe is /health (vLLM's and TGI's own path): the agent keeps its health body there, so
/// the controller still reads notices from it, and answers 200 only when the replica is ready.
/// </summary>
public sealed class HealthReadinessTests : IDisposable
{
    private readonly TempDirectory work = new();

    public void Dispose() => work.Dispose();

    [Fact]
    public async Task A_bare_agent_answers_503_on_health_while_it_loads()
    {
        await using var agent = await AgentProcess.StartAsync("--readiness-path", "/health", "--ready-delay-ms", "600000");
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
        {
            using var response = await agent.Http.SendAsync(new HttpRequestMessage(method, "/health"));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            var body = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.Equal("ok", (string?)body["status"]);
            Assert.False((bool?)body["ready"]);
            Assert.Equal(agent.MachineId, (string?)body["machine_id"]);
        }
    }

    [Fact]
    public async Task With_an_external_engine_health_is_200_only_when_the_engines_own_health_is()
    {
        var marker = FakeEngine.NewMarker();
        await using var agent = await AgentProcess.StartAsync(
            "--readiness-path", "/health", "--workdir", work.Path, "--run", FakeEngine.Run(marker, "ENGINE_START_DELAY_S=2"));

        using (var starting = await agent.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, starting.StatusCode);
            Assert.Equal("starting", (string?)(await starting.Content.ReadFromJsonAsync<JsonObject>())!["engine"]!["state"]);
        }
        await Eventually.TrueAsync(async () => (await agent.Http.GetAsync("/health")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), () => agent.Output);
        var ready = await agent.GetJsonAsync("/health");
        Assert.True((bool?)ready["ready"]);
        Assert.Equal("running", (string?)ready["engine"]!["state"]);

        await File.WriteAllTextAsync(Path.Combine(work.Path, "not-ready"), ""); // the engine's /health now answers 503
        using (var notReady = await agent.Http.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            var body = (await notReady.Content.ReadFromJsonAsync<JsonObject>())!;
            Assert.False((bool?)body["ready"]);
            Assert.Equal("ok", (string?)body["status"]);
        }
    }
}
