using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using SkyServe.Inference.Tokenization;
using SkyServe.ReplicaAgent.Hosting;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests.OpenAi;

/// <summary>The OpenAI-compatible API of the agent over the real engine and the tiny-llama fixture, on a real Kestrel port.</summary>
public sealed class OpenAiApiTests : IAsyncLifetime
{
    private static readonly string Model = Path.Combine(RepoPaths.Root, "tests", "fixtures", "tiny-llama");
    private WebApplication app = null!;
    private HttpClient client = null!;
    private JsonArray cases = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        app = AgentHost.Build(new AgentOptions { Port = port, ModelDirectory = Model, MachineId = "api-test" }, statusOutput: TextWriter.Null);
        await app.StartAsync();
        client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        cases = JsonNode.Parse(File.ReadAllText(Path.Combine(Model, "expected.json")))!["model"]!.AsArray();
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private string ExpectedText(int i) =>
        Tokenizer.Load(Model).Decode(cases[i]!["greedy"]!.AsArray().Select(t => t!.GetValue<int>()), skipSpecialTokens: true);

    private static object Greedy(string prompt, bool stream = false) =>
        new { model = "tiny-llama", prompt, max_tokens = 12, temperature = 0, ignore_eos = true, stream };

    [Fact]
    public async Task Models_lists_the_served_model()
    {
        var models = JsonNode.Parse(await client.GetStringAsync("/v1/models"))!;
        Assert.Equal("list", models["object"]!.GetValue<string>());
        Assert.Equal("tiny-llama", models["data"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(256, models["data"]![0]!["max_model_len"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_greedy_completion_is_what_transformers_generates()
    {
        var response = await client.PostAsJsonAsync("/v1/completions", Greedy(cases[0]!["prompt"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("text_completion", body["object"]!.GetValue<string>());
        Assert.Equal(ExpectedText(0), body["choices"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("length", body["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(cases[0]!["ids"]!.AsArray().Count, body["usage"]!["prompt_tokens"]!.GetValue<int>());
        Assert.Equal(12, body["usage"]!["completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_streamed_completion_arrives_as_server_sent_events_ending_with_done()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = JsonContent.Create(Greedy(cases[1]!["prompt"]!.GetValue<string>(), stream: true)) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", lines[^1]);
        var chunks = lines[..^1].Select(l => JsonNode.Parse(l["data: ".Length..])!).ToList();
        Assert.Equal(ExpectedText(1), string.Concat(chunks.Select(c => c["choices"]![0]!["text"]!.GetValue<string>())));
        Assert.Equal("length", chunks[^1]["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.All(chunks[..^1], c => Assert.Null(c["choices"]![0]!["finish_reason"]));
    }

    [Fact]
    public async Task Concurrent_requests_get_the_same_text_as_alone()
    {
        var answers = await Task.WhenAll(Enumerable.Range(0, cases.Count).Select(async i =>
        {
            var response = await client.PostAsJsonAsync("/v1/completions", Greedy(cases[i]!["prompt"]!.GetValue<string>()));
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["choices"]![0]!["text"]!.GetValue<string>();
        }));
        for (var i = 0; i < cases.Count; i++)
            Assert.Equal(ExpectedText(i), answers[i]);
    }

    [Theory]
    [InlineData("{not json", 400, null)]
    [InlineData("""{"prompt": "hi", "n": 2}""", 400, "n")]
    [InlineData("""{"prompt": "hi", "temperature": 5}""", 400, "temperature")]
    [InlineData("""{"prompt": "hi", "max_tokens": 0}""", 400, "max_tokens")]
    [InlineData("""{"prompt": "hi", "stop": 3}""", 400, "stop")]
    [InlineData("""{"model": "gpt-4", "prompt": "hi"}""", 404, "model")]
    [InlineData("""{"prompt": "hi", "max_tokens": 100000}""", 400, "messages")]
    [InlineData("""{"max_tokens": 3}""", 400, "prompt")]
    public async Task Bad_requests_get_openai_error_json(string body, int status, string? param)
    {
        var response = await client.PostAsync("/v1/completions", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(status, (int)response.StatusCode);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.False(string.IsNullOrEmpty(error["message"]!.GetValue<string>()));
        Assert.Equal(param, error["param"]?.GetValue<string>());
    }

    [Fact]
    public async Task Chat_uses_the_model_template_and_streams_the_same_answer()
    {
        var chat = JsonNode.Parse(File.ReadAllText(Path.Combine(Model, "expected.json")))!["chat"]!;
        var request = new { messages = chat["messages"], max_tokens = 10, temperature = 0, ignore_eos = true };
        var whole = JsonNode.Parse(await (await client.PostAsJsonAsync("/v1/chat/completions", request)).Content.ReadAsStringAsync())!;
        Assert.Equal("chat.completion", whole["object"]!.GetValue<string>());
        Assert.Equal("assistant", whole["choices"]![0]!["message"]!["role"]!.GetValue<string>());
        // The prompt is transformers' apply_chat_template rendering, tokenized as it stands (the template writes BOS).
        var rendered = chat["rendered"]!.GetValue<string>();
        Assert.Equal(Tokenizer.Load(Model).Encode(rendered, addSpecialTokens: false).Count, whole["usage"]!["prompt_tokens"]!.GetValue<int>());

        var streamed = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { messages = chat["messages"], max_tokens = 10, temperature = 0, ignore_eos = true, stream = true, stream_options = new { include_usage = true } }),
        };
        using var response = await client.SendAsync(streamed, HttpCompletionOption.ResponseHeadersRead);
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonNode.Parse(e["data: ".Length..])!).ToList();
        Assert.Equal("assistant", chunks[0]["choices"]![0]!["delta"]!["role"]!.GetValue<string>());
        var content = string.Concat(chunks.Where(c => c["choices"]!.AsArray().Count > 0)
            .Select(c => c["choices"]![0]!["delta"]!["content"]?.GetValue<string>() ?? ""));
        Assert.Equal(whole["choices"]![0]!["message"]!["content"]!.GetValue<string>(), content);
        Assert.Equal(10, chunks[^1]["usage"]!["completion_tokens"]!.GetValue<int>()); // include_usage: a last chunk with usage
    }

    [Fact]
    public async Task Chat_refuses_bad_messages()
    {
        var response = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = new[] { new { role = "wizard", content = "hi" } } });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("messages[0].role", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["param"]!.GetValue<string>());
        var empty = await client.PostAsJsonAsync("/v1/chat/completions", new { messages = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
    }

    [Fact]
    public async Task The_context_window_is_enforced_with_a_clear_message()
    {
        var response = await client.PostAsJsonAsync("/v1/completions", new { prompt = "hi", max_tokens = 100000 });
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("context_length_exceeded", error["code"]!.GetValue<string>());
        Assert.Contains("maximum context length is 256", error["message"]!.GetValue<string>());
    }
}
