using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>One real agent for the whole class: every other path and method is an echo of the request.</summary>
public sealed class EchoTests(EchoTests.RunningAgent fixture) : IClassFixture<EchoTests.RunningAgent>
{
    public sealed class RunningAgent : IAsyncLifetime
    {
        public AgentProcess Process { get; private set; } = null!;
        public async Task InitializeAsync() => Process = await AgentProcess.StartAsync();
        public async Task DisposeAsync() => await Process.DisposeAsync();
    }

    private AgentProcess Agent => fixture.Process;

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task Echoes_method_path_query_headers_and_body(string method)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/v1/chat/completions?stream=true&user=a%20b");
        request.Headers.Add("X-Request-Id", "r-42");
        var sent = method is "GET" or "OPTIONS" ? "" : """{"messages": [{"role": "user", "content": "hé"}]}""";
        if (sent.Length > 0)
            request.Content = new StringContent(sent, System.Text.Encoding.UTF8, "application/json");

        using var response = await Agent.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal(Agent.MachineId, (string?)echo["machine_id"]);
        Assert.Equal(method, (string?)echo["method"]);
        Assert.Equal("/v1/chat/completions", (string?)echo["path"]);
        Assert.Equal("?stream=true&user=a%20b", (string?)echo["query"]);
        Assert.Equal("r-42", (string?)echo["headers"]!["X-Request-Id"]);
        Assert.Equal(Agent.Url.Authority, (string?)echo["headers"]!["Host"]);
        Assert.Equal(sent, (string?)echo["body"]);
        if (sent.Length > 0)
            Assert.Equal("application/json; charset=utf-8", (string?)echo["headers"]!["Content-Type"]);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/models/llama-3-8b/model.safetensors")]
    public async Task Any_path_is_echoed(string path)
    {
        var echo = await Agent.GetJsonAsync(path);
        Assert.Equal(path, (string?)echo["path"]);
        Assert.Equal("", (string?)echo["query"]);
    }

    [Fact]
    public async Task Other_methods_on_health_are_echoed()
    {
        using var response = await Agent.Http.PostAsync("/health", new StringContent("x"));
        var echo = (await response.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.Equal("POST", (string?)echo["method"]);
        Assert.Equal("x", (string?)echo["body"]);
    }

    [Fact]
    public async Task Delay_ms_holds_the_answer_back()
    {
        var clock = Stopwatch.StartNew();
        var echo = await Agent.GetJsonAsync("/slow?delay_ms=600");
        Assert.True(clock.ElapsedMilliseconds >= 600, $"answered after {clock.ElapsedMilliseconds} ms");
        Assert.Equal("?delay_ms=600", (string?)echo["query"]);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("600001")]
    public async Task A_bad_delay_ms_is_a_400(string delay)
    {
        using var response = await Agent.Http.GetAsync($"/slow?delay_ms={delay}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("delay_ms", await response.Content.ReadAsStringAsync());
    }
}
