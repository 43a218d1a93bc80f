using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using SkyServe.LoadBalancer.Hosting;
using SkyServe.LoadBalancer.LoadBalancing;
using SkyServe.ReplicaAgent.Hosting;
using SkyServe.Testing;

namespace SkyServe.LoadBalancer.Tests.Resumption;

/// <summary>
/// Token-level resumption against the real built-in engine (tiny-llama, greedy): one agent behind three relays that
/// cut its streams like preempted replicas. Whatever the cuts, the client gets exactly the text of an uninterrupted run,
/// under one id, with one [DONE] and one usage counting the whole generation.
/// </summary>
public sealed class ResumptionTests : IAsyncLifetime
{
    private static readonly string Model = Path.Combine(RepoPaths.Root, "tests", "fixtures", "tiny-llama");
    private readonly List<IAsyncDisposable> started = [];
    private WebApplication agent = null!;
    private string agentUrl = "";

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        agent = AgentHost.Build(new AgentOptions { Port = port, ModelDirectory = Model, MachineId = "resume" }, statusOutput: TextWriter.Null);
        await agent.StartAsync();
        agentUrl = $"http://127.0.0.1:{port}";
    }

    public async Task DisposeAsync()
    {
        foreach (var s in started)
            await s.DisposeAsync();
        await agent.StopAsync();
        await agent.DisposeAsync();
    }

    private async Task<RunningLoadBalancer> BalancerAsync(CutPlan plan, bool resume = true)
    {
        var relays = new List<CuttingRelay>();
        for (var i = 0; i < 3; i++)
            relays.Add(await CuttingRelay.StartAsync(agentUrl, plan));
        started.AddRange(relays);
        var lb = await RunningLoadBalancer.StartAsync(new LoadBalancerOptions
        {
            StaticBackends = relays.Select(r => r.Url).ToList(), StaticPolicy = PolicyNames.RoundRobin, Resume = resume,
            ControllerToken = RunningLoadBalancer.StaticToken,
        });
        started.Add(lb);
        return lb;
    }

    private static JsonObject Chat(string prompt, int maxTokens = 40, bool stream = true, double temperature = 0, int? seed = null) => new()
    {
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = prompt }),
        ["max_tokens"] = maxTokens,
        ["temperature"] = temperature,
        ["seed"] = seed,
        ["ignore_eos"] = true,
        ["stream"] = stream,
        ["stream_options"] = stream ? new JsonObject { ["include_usage"] = true } : null,
    };

    private static JsonObject Completion(string prompt, int maxTokens = 40) => new()
    {
        ["prompt"] = prompt, ["max_tokens"] = maxTokens, ["temperature"] = 0, ["ignore_eos"] = true, ["stream"] = true,
        ["stream_options"] = new JsonObject { ["include_usage"] = true },
    };

    [Fact]
    public async Task A_chat_stream_cut_after_k_tokens_continues_with_the_exact_reference_text()
    {
        var (prompt, insideCharacter) = await PromptWithSplitCharacterAsync();
        var body = Chat(prompt);
        var reference = await StreamAsync(new HttpClient { BaseAddress = new Uri(agentUrl) }, "/v1/chat/completions", body);
        foreach (var (k, migrate) in new[] { (1, false), (7, false), (insideCharacter, false), (9, true) })
        {
            var plan = new CutPlan(new StreamCut(k, Migrate: migrate));
            var lb = await BalancerAsync(plan);
            var seen = await StreamAsync(lb.Client, "/v1/chat/completions", body);
            Assert.Equal(1, plan.Made);
            Assert.Contains("skyserve_lb_resumptions_total{service=\"static\"} 1\n", await lb.MetricsAsync());
            AssertSameAnswer(reference, seen, $"cut after {k} tokens{(migrate ? " by a drain marker" : "")}");
            // One opening of the assistant's message, the first chunk's; the continuation's own is dropped.
            Assert.Single(seen.Chunks, c => c["choices"] is JsonArray { Count: > 0 } choices && choices[0]!["delta"] is JsonObject delta && delta.ContainsKey("role"));
            Assert.Equal("assistant", (string?)seen.Chunks[0]["choices"]![0]!["delta"]!["role"]);
        }
    }

    [Fact]
    public async Task A_completion_stream_survives_two_resets_and_a_seeded_sampled_chat_one_cut()
    {
        var body = Completion("The spot market took the machine back", maxTokens: 48);
        var reference = await StreamAsync(new HttpClient { BaseAddress = new Uri(agentUrl) }, "/v1/completions", body);
        var plan = new CutPlan(new StreamCut(5, Reset: true), new StreamCut(9, Reset: true));
        var seen = await StreamAsync((await BalancerAsync(plan)).Client, "/v1/completions", body);
        Assert.Equal(2, plan.Made);
        AssertSameAnswer(reference, seen, "two resets");

        // The built-in engine skips the draws the prefix used: a seeded sample continues as the uninterrupted run.
        var sampled = Chat("Tell me about spot instances", temperature: 1, seed: 1234);
        var sampledReference = await StreamAsync(new HttpClient { BaseAddress = new Uri(agentUrl) }, "/v1/chat/completions", sampled);
        var sampledPlan = new CutPlan(new StreamCut(11));
        AssertSameAnswer(sampledReference, await StreamAsync((await BalancerAsync(sampledPlan)).Client, "/v1/chat/completions", sampled), "seeded sampling");
        Assert.Equal(1, sampledPlan.Made);
    }

    [Fact]
    public async Task A_non_streamed_chat_whose_replica_dies_mid_generation_gets_the_whole_reference_answer()
    {
        var body = Chat("What happens on a preemption?", stream: false);
        using var direct = new HttpClient { BaseAddress = new Uri(agentUrl) };
        var reference = JsonNode.Parse(await (await direct.PostAsync("/v1/chat/completions", Json(body))).EnsureSuccessStatusCode().Content.ReadAsStringAsync())!;
        var plan = new CutPlan(new StreamCut(13, Reset: true));
        var lb = await BalancerAsync(plan);
        var response = await lb.Client.PostAsync("/v1/chat/completions", Json(body));
        var answer = JsonNode.Parse(await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!;
        Assert.Equal(1, plan.Made);
        Assert.Equal("chat.completion", answer["object"]!.GetValue<string>());
        Assert.Equal(reference["choices"]![0]!["message"]!.ToJsonString(), answer["choices"]![0]!["message"]!.ToJsonString());
        Assert.Equal(reference["choices"]![0]!["finish_reason"]!.GetValue<string>(), answer["choices"]![0]!["finish_reason"]!.GetValue<string>());
        Assert.Equal(reference["usage"]!.ToJsonString(), answer["usage"]!.ToJsonString());
    }

    [Fact]
    public async Task Without_resumption_a_cut_stream_is_lost_to_the_client_as_before()
    {
        // The SkyServe-like baseline: a stream that just stops ends short, without [DONE].
        var body = Chat("Hello");
        var reference = await StreamAsync(new HttpClient { BaseAddress = new Uri(agentUrl) }, "/v1/chat/completions", body);
        var plan = new CutPlan(new StreamCut(5));
        var lb = await BalancerAsync(plan, resume: false);
        var seen = await StreamAsync(lb.Client, "/v1/chat/completions", body);
        Assert.Equal(1, plan.Made);
        Assert.Equal(0, seen.Done);
        Assert.True(seen.Text.Length < reference.Text.Length);
        Assert.StartsWith(seen.Text, reference.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_that_cannot_be_resumed_fails_as_before()
    {
        // logprobs cannot be continued: the request goes through as any other, and its cut stream is not resumed.
        var body = Chat("Hello");
        body["logprobs"] = true;
        var plan = new CutPlan(new StreamCut(5));
        var lb = await BalancerAsync(plan);
        var seen = await StreamAsync(lb.Client, "/v1/chat/completions", body);
        Assert.Equal(1, plan.Made);
        Assert.Equal(0, seen.Done);
        Assert.Contains("skyserve_lb_resumptions_total{service=\"static\"} 0\n", await lb.MetricsAsync());
    }

    [Fact]
    public async Task The_official_openai_node_client_streams_through_a_migration_without_error()
    {
        var client = Path.Combine(RepoPaths.Root, "tests", "clients", "openai-node");
        Assert.True(File.Exists(Path.Combine(client, "node_modules", "openai", "package.json")),
            $"the openai npm package is not installed: run `npm ci --prefix {client}` (tests/run.sh does)");
        const string question = "Why resume at the token level?";
        var reference = await StreamAsync(new HttpClient { BaseAddress = new Uri(agentUrl) }, "/v1/chat/completions", Chat(question, maxTokens: 32));
        var plan = new CutPlan(new StreamCut(6), new StreamCut(5, Reset: true));
        var lb = await BalancerAsync(plan);
        var run = await ProcessRunner.RunAsync("node", ["stream.mjs", lb.Url + "/v1", "tiny-llama", question, "32"], workingDirectory: client,
            timeout: TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, run.Output);
        var seen = JsonNode.Parse(run.Stdout)!;
        Assert.Equal(2, plan.Made);
        Assert.Equal(reference.Text, seen["content"]!.GetValue<string>());
        Assert.Equal(reference.Finish, seen["finish"]!.GetValue<string>());
        Assert.Equal(reference.Usage!.ToJsonString(), seen["usage"]!.ToJsonString());
        Assert.Equal(1, seen["ids"]!.GetValue<int>());
    }

    private static void AssertSameAnswer(StreamSeen reference, StreamSeen seen, string what)
    {
        Assert.True(seen.Errors.Count == 0, $"{what}: {string.Join(", ", seen.Errors.Select(e => e.ToJsonString()))}");
        Assert.Equal(reference.Text, seen.Text);
        Assert.Equal(1, seen.Done);
        Assert.Single(seen.Ids);
        Assert.Single(seen.Created);
        Assert.Equal(reference.Finish, seen.Finish);
        Assert.Equal(reference.Usage?.ToJsonString(), seen.Usage?.ToJsonString());
        Assert.DoesNotContain(seen.Chunks, c => c.ToJsonString().Contains("skyserve", StringComparison.Ordinal));
        if (seen.Chunks.First()["object"]!.GetValue<string>() == "chat.completion.chunk")
            Assert.Single(seen.Chunks, c => c["choices"] is JsonArray { Count: > 0 } a && a[0]!["delta"]!["role"]?.GetValue<string>() == "assistant");
    }

    /// <summary>
    /// A prompt whose greedy answer has a character made of several tokens, and how many tokens into the answer a cut
    /// falls between them (the agent reports every token's id; the text waits for the character's last byte).
    /// </summary>
    private async Task<(string Prompt, int Tokens)> PromptWithSplitCharacterAsync()
    {
        using var direct = new HttpClient { BaseAddress = new Uri(agentUrl) };
        direct.DefaultRequestHeaders.Add("X-SkyServe-Token-Ids", "1");
        foreach (var prompt in new[] { "日本語のテキスト", "emoji 🚀🔥 done", "naïve café résumé", "Hello, world!", "The fox" })
        {
            var seen = await StreamAsync(direct, "/v1/chat/completions", Chat(prompt));
            var tokens = 0;
            foreach (var chunk in seen.Chunks)
            {
                if (chunk["skyserve_token_ids"] is not JsonArray ids)
                    continue;
                tokens += ids.Count;
                var delta = chunk["choices"]![0]!["delta"]!["content"]?.GetValue<string>() ?? "";
                if (ids.Count > 0 && delta.Length == 0 && tokens > 1)
                    return (prompt, tokens);
            }
        }
        throw new InvalidOperationException("no prompt gave an answer with a character split over several tokens");
    }

    private static StringContent Json(JsonObject body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private sealed record StreamSeen(string Text, List<JsonObject> Chunks, int Done, List<JsonObject> Errors, JsonNode? Usage, string? Finish,
        HashSet<string> Ids, HashSet<long> Created);

    private static async Task<StreamSeen> StreamAsync(HttpClient client, string path, JsonObject body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var text = new StringBuilder();
        var chunks = new List<JsonObject>();
        var errors = new List<JsonObject>();
        var done = 0;
        JsonNode? usage = null;
        string? finish = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
                continue;
            if (line == "data: [DONE]")
            {
                done++;
                continue;
            }
            var chunk = JsonNode.Parse(line[6..])!.AsObject();
            if (chunk["error"] is not null)
            {
                errors.Add(chunk);
                continue;
            }
            chunks.Add(chunk);
            usage = chunk["usage"] ?? usage;
            if (chunk["choices"] is JsonArray { Count: > 0 } choices)
            {
                var choice = choices[0]!;
                text.Append(choice["delta"]?["content"]?.GetValue<string>() ?? choice["text"]?.GetValue<string>() ?? "");
                finish = choice["finish_reason"]?.GetValue<string>() ?? finish;
            }
        }
        return new StreamSeen(text.ToString(), chunks, done, errors, usage, finish,
            chunks.Select(c => c["id"]!.GetValue<string>()).ToHashSet(), chunks.Select(c => c["created"]!.GetValue<long>()).ToHashSet());
    }
}
