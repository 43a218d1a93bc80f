using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using SkyServe.ReplicaAgent.Hosting;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests.OpenAi;

/// <summary>
/// models/tiny-chat, the example model the local runtime's replicas serve: through the agent's chat API, with its
/// own chat template, the engine answers every recorded question exactly as transformers did (models/train_tiny_chat.py).
/// </summary>
public sealed class ExampleModelTests : IAsyncLifetime
{
    private static readonly string Model = Path.Combine(RepoPaths.Root, "models", "tiny-chat");
    private WebApplication app = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        app = AgentHost.Build(new AgentOptions { Port = port, ModelDirectory = Model, MachineId = "example-test" }, statusOutput: TextWriter.Null);
        await app.StartAsync();
        client = LoopbackHttp.NewClient(new Uri($"http://127.0.0.1:{port}"));
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var item in JsonNode.Parse(File.ReadAllText(Path.Combine(Model, "expected.json")))!["cases"]!.AsArray())
            data.Add(item!["question"]!.GetValue<string>(), item["answer"]!.GetValue<string>());
        return data;
    }

    private async Task<JsonNode> AskAsync(string question)
    {
        var response = await client.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "tiny-chat",
            messages = new[] { new { role = "user", content = question } },
            temperature = 0,
            max_tokens = 64,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_example_model_answers_as_transformers_did(string question, string answer)
    {
        var body = await AskAsync(question);
        Assert.Equal(answer, body["choices"]![0]!["message"]!["content"]!.GetValue<string>());
        Assert.Equal("stop", body["choices"]![0]!["finish_reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task All_questions_asked_at_once_get_the_same_answers()
    {
        var cases = Cases().Select(row => ((string)row[0], (string)row[1])).ToList();
        var answers = await Task.WhenAll(cases.Select(c => AskAsync(c.Item1)));
        for (var i = 0; i < cases.Count; i++)
            Assert.Equal(cases[i].Item2, answers[i]["choices"]![0]!["message"]!["content"]!.GetValue<string>());
    }
}
