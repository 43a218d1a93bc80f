using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// A spec's readiness probe often names the built-in engine's own /v1/models: the engine answers it once the agent
/// is ready, and the agent answers 503 before (the two used to collide on one route).
/// </summary>
public sealed class BuiltInEngineReadinessTests
{
    private static string TinyLlama => Path.Combine(RepoPaths.Root, "tests", "fixtures", "tiny-llama");

    [Fact]
    public async Task A_readiness_path_of_v1_models_is_answered_by_the_engine()
    {
        await using var agent = await AgentProcess.StartAsync("--model", TinyLlama, "--readiness-path", "/v1/models", "--served-model-name", "tiny");
        using var response = await agent.Http.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("tiny", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["data"]![0]!["id"]);
        using var ready = await agent.Http.GetAsync("/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode); // no longer the readiness path: an echo
    }

    [Fact]
    public async Task While_the_agent_is_not_ready_the_engines_readiness_path_answers_503()
    {
        await using var agent = await AgentProcess.StartAsync("--model", TinyLlama, "--readiness-path", "/v1/models/", "--ready-delay-ms", "600000");
        using var response = await agent.Http.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("loading", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["reason"]);
        using var chat = await agent.Http.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "user", content = "hi" } }, max_tokens = 2 });
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode); // other engine paths are not gated
    }
}
