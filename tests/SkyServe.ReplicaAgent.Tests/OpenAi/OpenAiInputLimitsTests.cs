using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace SkyServe.ReplicaAgent.Tests.OpenAi;

/// <summary>
/// Issue 12: no request makes the agent balloon. Bodies over --max-request-bytes get 413 (with or without
/// Content-Length); prompts longer than the window can hold get 400 before tokenizing; malformed JSON is a 400.
/// </summary>
public sealed class OpenAiInputLimitsTests(TinyLlamaAgent fixture, ITestOutputHelper output) : IClassFixture<TinyLlamaAgent>
{
    private AgentProcess Agent => fixture.Agent;

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static ByteArrayContent Json(string body) => Json(Encoding.UTF8.GetBytes(body));

    /// <summary>
    /// With Content-Length, the agent refuses a body too large before reading any of it and closes the connection;
    /// "Expect: 100-continue" makes HttpClient wait for that answer instead of failing on the unread body.
    /// </summary>
    private static async Task<HttpResponseMessage> PostExpectingContinueAsync(HttpClient http, string path, byte[] body)
    {
        // The client sends the body anyway once it has waited this long for the answer to its headers (1 s by default):
        // on a busy machine that raced the refusal and broke the pipe. Wait for the server's word instead.
        using var patient = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromSeconds(30) }) { BaseAddress = http.BaseAddress };
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        request.Headers.ExpectContinue = true;
        var response = await patient.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>No Content-Length: the body goes chunked, so only reading with a bound can refuse it.</summary>
    private static async Task<JsonObject> AssertChunkedRefusedAsync(Uri server, string path, byte[] body)
    {
        var answer = await ChunkedPost.SendAsync(server, path, body, TimeSpan.FromSeconds(30));
        Assert.True(answer.Status == 413, $"expected 413, got {answer.Status}: {answer.Body}");
        Assert.StartsWith("application/json", answer.ContentType);
        var error = JsonNode.Parse(answer.Body)!["error"]!.AsObject();
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        return error;
    }

    private static string PromptBody(int characters) => $$"""{"prompt":"{{new string('a', characters)}}","max_tokens":1}""";

    [Theory]
    [InlineData("/v1/completions", false)]
    [InlineData("/v1/completions", true)]
    [InlineData("/v1/chat/completions", true)]
    public async Task A_10_MB_body_is_refused_with_413(string path, bool chunked)
    {
        var body = Encoding.UTF8.GetBytes(path.Contains("chat")
            ? $$"""{"messages":[{"role":"user","content":"{{new string('a', 10 << 20)}}"}]}"""
            : PromptBody(10 << 20));
        var error = chunked
            ? await AssertChunkedRefusedAsync(Agent.Url, path, body)
            : await OpenAiErrorShape.AssertAsync(await PostExpectingContinueAsync(Agent.Http, path, body), 413);
        Assert.Equal("request_too_large", (string?)error["code"]);
        Assert.Contains("4194304 bytes", (string?)error["message"]);
        Assert.False(Agent.HasExited);
    }

    [Fact]
    public async Task Max_request_bytes_sets_the_limit()
    {
        await using var agent = await TinyLlamaAgent.StartAsync("--max-request-bytes", "1000");
        using var small = await agent.Http.PostAsync("/v1/completions", Json(PromptBody(100)));
        Assert.Equal(HttpStatusCode.OK, small.StatusCode);
        using var large = await PostExpectingContinueAsync(agent.Http, "/v1/completions", Encoding.UTF8.GetBytes(PromptBody(1000)));
        Assert.Contains("1000 bytes", (string?)(await OpenAiErrorShape.AssertAsync(large, 413))["message"]);
        await AssertChunkedRefusedAsync(agent.Url, "/v1/completions", Encoding.UTF8.GetBytes(PromptBody(1000)));
    }

    [Fact]
    public async Task A_prompt_longer_than_the_window_can_hold_is_refused_by_its_length_in_characters()
    {
        // Under the byte limit, over 256 tokens × 32 characters: refused before tokenizing, which the message says.
        using var response = await Agent.Http.PostAsync("/v1/completions", Json(PromptBody(1 << 20)));
        var error = await OpenAiErrorShape.AssertAsync(response, 400);
        Assert.Equal("context_length_exceeded", (string?)error["code"]);
        Assert.Equal("prompt", (string?)error["param"]);
        Assert.Contains($"a prompt of {1 << 20} characters cannot fit (at most {TinyLlamaAgent.ContextWindow * 32} characters", (string?)error["message"]);

        var messages = Enumerable.Range(0, 64).Select(_ => new { role = "user", content = new string('b', 200) }).ToArray(); // 12,800 characters
        using var chat = await Agent.Http.PostAsJsonAsync("/v1/chat/completions", new { messages });
        var chatError = await OpenAiErrorShape.AssertAsync(chat, 400);
        Assert.Equal("messages", (string?)chatError["param"]);
        Assert.Contains("characters cannot fit", (string?)chatError["message"]);
    }

    [Fact]
    public async Task A_prompt_within_the_character_bound_but_over_the_window_is_refused_by_the_bounded_tokenizer()
    {
        var prompt = string.Concat(Enumerable.Range(0, 1000).Select(i => $" w{i}")); // about 5,900 characters, far more than 256 tokens
        using var response = await Agent.Http.PostAsJsonAsync("/v1/completions", new { prompt, max_tokens = 1 });
        var error = await OpenAiErrorShape.AssertAsync(response, 400);
        Assert.Equal("context_length_exceeded", (string?)error["code"]);
        Assert.Contains("maximum context length is 256 tokens, but the prompt has more", (string?)error["message"]);
    }

    [Fact]
    public async Task Eight_parallel_prompts_just_under_the_byte_limit_do_not_balloon_the_agent()
    {
        using var warm = await Agent.Http.PostAsync("/v1/completions", Json(PromptBody(1 << 20))); // JIT and pools, not counted
        var before = ResidentBytes(Agent.Pid);
        var body = Encoding.UTF8.GetBytes(PromptBody((4 << 20) - 100));
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Agent.Http.PostAsync("/v1/completions", Json(body))));
        foreach (var response in responses)
            using (response)
                await OpenAiErrorShape.AssertAsync(response, 400);
        var grown = ResidentBytes(Agent.Pid) - before;
        output.WriteLine($"resident memory {before >> 20} MiB before, grew by {grown >> 20} MiB");
        // Each request holds its 4 MB body, its 8 MB string and a parse; before the bounds one 10 MB prompt cost ~370 MB.
        Assert.True(grown < 400L << 20, $"the agent's resident memory grew by {grown >> 20} MiB");
    }

    [Theory]
    [InlineData("/v1/completions", """{"prompt":"hi","stream":true,"stream_options":"yes"}""", "stream_options")]
    [InlineData("/v1/completions", """{"prompt":"hi","stream":true,"stream_options":[true]}""", "stream_options")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"stream_options":1}""", "stream_options")]
    [InlineData("/v1/completions", """{"prompt":"hi","prompt":"ho"}""", null)]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"hi","content":"ho"}]}""", null)]
    [InlineData("/v1/completions", """{"prompt":"hi","\u0070rompt":"ho"}""", null)]
    [InlineData("/v1/completions", """{"prompt":"\ud800"}""", null)]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":"a\udfffb"}]}""", null)]
    [InlineData("/v1/completions", """{"prompt":"hi","max_tokens":"5"}""", "max_tokens")]
    [InlineData("/v1/completions", """{"prompt":"hi","stream":"yes"}""", "stream")]
    [InlineData("/v1/completions", """{"prompt":"hi","model":7}""", "model")]
    [InlineData("/v1/chat/completions", """{"messages":{"role":"user","content":"hi"}}""", "messages")]
    [InlineData("/v1/chat/completions", """{"messages":["hi"]}""", "messages[0]")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":[{"type":3}]}]}""", "messages[0].content")]
    [InlineData("/v1/chat/completions", """{"messages":[{"role":"user","content":[{"type":"text","text":5}]}]}""", "messages[0].content")]
    [InlineData("/v1/completions", """{"prompt":"hi","max_tokens":2147483647}""", "*")]
    public async Task Malformed_requests_get_400_in_OpenAIs_error_shape(string path, string body, string? param)
    {
        using var response = await Agent.Http.PostAsync(path, Json(body));
        var error = await OpenAiErrorShape.AssertAsync(response, 400);
        if (param != "*")
            Assert.Equal(param, (string?)error["param"]);
    }

    [Theory]
    [InlineData("/v1/completions")]
    [InlineData("/v1/chat/completions")]
    public async Task Invalid_utf8_inside_a_string_gets_400(string path)
    {
        var body = path.Contains("chat") ? """{"messages":[{"role":"user","content":"a#b"}]}""" : """{"prompt":"a#b"}""";
        foreach (var bad in new byte[][] { [0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xE2, 0x82] })
        {
            var bytes = Encoding.UTF8.GetBytes(body).ToList();
            var at = bytes.IndexOf((byte)'#');
            bytes.RemoveAt(at);
            bytes.InsertRange(at, bad);
            using var response = await Agent.Http.PostAsync(path, Json(bytes.ToArray()));
            await OpenAiErrorShape.AssertAsync(response, 400);
        }
    }

    private static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
