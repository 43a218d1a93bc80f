using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SkyServe.Testing;

namespace SkyServe.Integration.Tests;

/// <summary>
/// A service's spec reaches its replicas on the local runtime: `model:` is served by each replica's built-in
/// engine, `run:` (after `setup:`, with the spec's `envs`) by an external engine behind the agent, whose log the
/// controller reads from the agent.
/// </summary>
public sealed class ReplicaEngineTests
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(60) };

    private static Task<LocalSystem> StartAsync() => LocalSystem.StartAsync(
        [("aws/us-east-1/us-east-1a", new ScriptedSpotCapacity(4))],
        provider: o => o with { ModelRoot = RepoPaths.Root }); // as `local start` does: relative model paths are the checkout's

    private static async Task<string> ReadyEndpointAsync(LocalSystem system, string name)
    {
        await system.WaitUntilAsync(name, r => LocalSystem.Ready(r) == 1, TimeSpan.FromSeconds(90), "a READY replica");
        return (await system.ReplicasAsync(name)).Single(r => r!["status"]!.GetValue<string>() == "READY")!["endpoint"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_model_service_becomes_ready_and_its_replica_answers_a_chat_completion()
    {
        await using var system = await StartAsync();
        await system.CreateAsync("chat", """
            service:
              readiness_probe: /v1/models
              replicas: 1
            resources:
              cloud: aws
              cpus: 8
            model:
              path: tests/fixtures/tiny-llama
              engine: cpu
              max_batch_size: 4
            """);
        var endpoint = await ReadyEndpointAsync(system, "chat");

        var models = await Http.GetFromJsonAsync<JsonObject>($"{endpoint}/v1/models");
        Assert.Equal("tests/fixtures/tiny-llama", (string?)models!["data"]![0]!["id"]); // the spec's model id
        using var response = await Http.PostAsJsonAsync($"{endpoint}/v1/chat/completions", new
        {
            model = "tests/fixtures/tiny-llama",
            messages = new[] { new { role = "user", content = "Hello!" } },
            max_tokens = 6,
            ignore_eos = true,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var completion = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("assistant", (string?)completion["choices"]![0]!["message"]!["role"]);
        Assert.False(string.IsNullOrEmpty((string?)completion["choices"]![0]!["message"]!["content"]));
        Assert.Equal(6, (int?)completion["usage"]!["completion_tokens"]);
        Assert.True((int?)completion["usage"]!["prompt_tokens"] > 0);
        Assert.Equal((int?)completion["usage"]!["prompt_tokens"] + 6, (int?)completion["usage"]!["total_tokens"]);

        // The controller reads engine logs from agents that run an external engine only.
        using var logs = await system.Client.GetAsync("/api/v1/services/chat/replicas/1/logs");
        Assert.Equal(HttpStatusCode.NotFound, logs.StatusCode);
        Assert.Equal("application/problem+json", logs.Content.Headers.ContentType?.MediaType);
        Assert.Equal("No engine log", (string?)(await logs.Content.ReadFromJsonAsync<JsonObject>())!["title"]);
    }

    [Fact]
    public async Task A_run_service_is_set_up_served_through_its_agent_and_its_log_read_through_the_controller()
    {
        var marker = $"fake-engine-{Guid.NewGuid():N}";
        var script = Path.Combine(RepoPaths.Root, "tests", "fixtures", "fake-engine", "engine.py");
        await using var system = await StartAsync();
        await system.CreateAsync("ext", $"""
            service:
              readiness_probe: /health
              replicas: 1
              ports: 8080
            resources:
              cloud: aws
              cpus: 8
            envs:
              GREETING: hello from the spec
            setup: echo "setup says $GREETING"
            run: exec python3 {script} {marker}
            """);
        var endpoint = await ReadyEndpointAsync(system, "ext");

        var info = await Http.GetFromJsonAsync<JsonObject>($"{endpoint}/info?env=GREETING,SKYSERVE_REPLICA_PORT");
        Assert.Equal("hello from the spec", (string?)info!["env"]!["GREETING"]);
        Assert.Equal(info["port"]!.ToString(), (string?)info["env"]!["SKYSERVE_REPLICA_PORT"]);
        await Http.GetAsync($"{endpoint}/say?text=through-the-agent");

        var log = "";
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!log.Contains("stderr: through-the-agent"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the engine's line did not reach the log:\n{log}");
            using var response = await system.Client.GetAsync("/api/v1/services/ext/replicas/1/logs?tail=200");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
            log = await response.Content.ReadAsStringAsync();
        }
        Assert.Contains("setup says hello from the spec", log);
        Assert.Contains("engine: listening on port", log);
        var lastTwo = (await system.Client.GetStringAsync("/api/v1/services/ext/replicas/1/logs?tail=2")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lastTwo.Length);

        await AssertProblemAsync(system, "/api/v1/services/ext/replicas/7/logs", 404, "Replica not found");
        await AssertProblemAsync(system, "/api/v1/services/nope/replicas/1/logs", 404, "Service not found");
        await AssertProblemAsync(system, "/api/v1/services/ext/replicas/1/logs?tail=-1", 400, "Invalid request");

        // Teardown stops the machine, whose agent stops the engine's whole process group.
        Assert.True((await system.Client.DeleteAsync("/api/v1/services/ext")).IsSuccessStatusCode);
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await ProcessRunner.RunAsync("pgrep", ["-f", marker])).ExitCode == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the engine outlived its service");
            await Task.Delay(200);
        }
    }

    private static async Task AssertProblemAsync(LocalSystem system, string path, int status, string title)
    {
        using var response = await system.Client.GetAsync(path);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(title, (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["title"]);
    }
}
