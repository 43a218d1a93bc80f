using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using SkyServe.ReplicaAgent.Hosting;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests.OpenAi;

/// <summary>
/// The official OpenAI Node client (npm package <c>openai</c>, pinned in tests/clients/openai-node) against the agent
/// serving the example model on a real port: a chat completes and streams, and bad requests become the client's typed errors.
/// </summary>
public sealed class OpenAiNodeClientTests : IAsyncLifetime
{
    private static readonly string Model = Path.Combine(RepoPaths.Root, "models", "tiny-chat");
    private static readonly string ClientDirectory = Path.Combine(RepoPaths.Root, "tests", "clients", "openai-node");
    private WebApplication app = null!;
    private int port;

    public async Task InitializeAsync()
    {
        port = FreePort.Next();
        app = AgentHost.Build(new AgentOptions { Port = port, ModelDirectory = Model, MachineId = "openai-node" }, statusOutput: TextWriter.Null);
        await app.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task The_official_client_chats_streams_and_gets_well_formed_errors()
    {
        Assert.True(File.Exists(Path.Combine(ClientDirectory, "node_modules", "openai", "package.json")),
            $"the openai npm package is not installed: run `npm ci --prefix {ClientDirectory}` (tests/run.sh does)");
        var run = await ProcessRunner.RunAsync("node", ["check.mjs", $"http://127.0.0.1:{port}/v1", "tiny-chat", "What is the capital of France?"],
            workingDirectory: ClientDirectory, timeout: TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, run.Output);
        var seen = JsonNode.Parse(run.Stdout)!;

        Assert.Equal(["tiny-chat"], seen["models"]!.AsArray().Select(m => m!.GetValue<string>()));

        const string answer = "The capital of France is Paris.";
        var completion = seen["completion"]!;
        Assert.Equal("chat.completion", completion["object"]!.GetValue<string>());
        Assert.Equal("assistant", completion["role"]!.GetValue<string>());
        Assert.Equal(answer, completion["content"]!.GetValue<string>());
        Assert.Equal("stop", completion["finish"]!.GetValue<string>());
        var usage = completion["usage"]!;
        Assert.Equal(usage["prompt_tokens"]!.GetValue<int>() + usage["completion_tokens"]!.GetValue<int>(), usage["total_tokens"]!.GetValue<int>());

        var stream = seen["stream"]!;
        Assert.Equal(answer, stream["content"]!.GetValue<string>());
        Assert.Equal("stop", stream["finish"]!.GetValue<string>());
        Assert.True(stream["chunks"]!.GetValue<int>() > 3, "the answer should arrive in several chunks");
        Assert.Equal(usage.ToJsonString(), stream["usage"]!.ToJsonString());

        Assert.Equal("length", seen["legacy"]!["finish"]!.GetValue<string>());
        Assert.Equal(8, seen["legacy"]!["usage"]!["completion_tokens"]!.GetValue<int>());

        var errors = seen["errors"]!;
        AssertError(errors["noMessages"]!, "BadRequestError", 400, "messages");
        AssertError(errors["badTemperature"]!, "BadRequestError", 400, "temperature");
        AssertError(errors["unknownModel"]!, "NotFoundError", 404, "model");
        AssertError(errors["tooLong"]!, "BadRequestError", 400, "messages");
        Assert.Contains("maximum context length is 512 tokens", errors["tooLong"]!["message"]!.GetValue<string>());
        Assert.Equal("context_length_exceeded", errors["tooLong"]!["code"]!.GetValue<string>());
        AssertError(errors["streamTooLong"]!, "BadRequestError", 400, "messages");
    }

    private static void AssertError(JsonNode error, string className, int status, string param)
    {
        Assert.True(error["thrown"]!.GetValue<bool>());
        Assert.True(error["isApiError"]!.GetValue<bool>(), error.ToJsonString());
        Assert.Equal(className, error["className"]!.GetValue<string>());
        Assert.Equal(status, error["status"]!.GetValue<int>());
        Assert.Equal("invalid_request_error", error["type"]!.GetValue<string>());
        Assert.Equal(param, error["param"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(error["message"]!.GetValue<string>()));
    }
}
