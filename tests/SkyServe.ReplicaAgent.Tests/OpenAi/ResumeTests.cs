using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SkyServe.Contracts.Notices;
using SkyServe.Inference.Generation;
using SkyServe.ReplicaAgent.Endpoints.OpenAi;
using SkyServe.ReplicaAgent.Health;
using SkyServe.ReplicaAgent.Hosting;
using SkyServe.ReplicaAgent.Interruption;
using SkyServe.Testing;

namespace SkyServe.ReplicaAgent.Tests.OpenAi;

/// <summary>
/// The agent's side of token-level resumption over the real engine (tiny-llama): a continuation from the exact ids
/// equals the uninterrupted run, the portable forms (continue_final_message, prompt + text) are accepted, a notice
/// stops new generations, and a generation that cannot finish before the deadline is told to move.
/// </summary>
public sealed class ResumeTests : IAsyncLifetime
{
    private static readonly string Model = Path.Combine(RepoPaths.Root, "tests", "fixtures", "tiny-llama");
    private WebApplication app = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        var port = FreePort.Next();
        app = AgentHost.Build(new AgentOptions { Port = port, ModelDirectory = Model, MachineId = "resume-test" }, statusOutput: TextWriter.Null);
        await app.StartAsync();
        client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task<JsonNode> PostAsync(string path, JsonObject body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.PostAsync(path, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, text);
        return JsonNode.Parse(text)!;
    }

    [Fact]
    public async Task A_completion_continued_from_the_exact_ids_equals_the_uninterrupted_run()
    {
        var whole = new JsonObject { ["prompt"] = "Spot instances are", ["max_tokens"] = 24, ["temperature"] = 0, ["ignore_eos"] = true };
        var reference = await PostAsync("/v1/completions", whole);
        var referenceText = reference["choices"]![0]!["text"]!.GetValue<string>();

        // The ids-reporting stream cut after its event with the 10th id, as a load balancer would have it.
        var firstStream = await StreamWithIdsAsync("/v1/completions", (JsonObject)whole.DeepClone(), cutAfter: 10);
        Assert.Equal(10, firstStream.Ids.Count);
        Assert.StartsWith(firstStream.Text, referenceText, StringComparison.Ordinal);

        var continuation = (JsonObject)whole.DeepClone();
        continuation["prompt"] = "Spot instances are" + firstStream.Text;
        continuation["max_tokens"] = 14;
        continuation["skyserve_resume"] = new JsonObject
        {
            ["token_ids"] = new JsonArray(firstStream.Ids.Select(i => (JsonNode)i).ToArray()), ["text"] = firstStream.Text,
        };
        var rest = await PostAsync("/v1/completions", continuation);
        Assert.Equal(referenceText, firstStream.Text + rest["choices"]![0]!["text"]!.GetValue<string>());
        Assert.Equal(reference["usage"]!.ToJsonString(), rest["usage"]!.ToJsonString()); // the prefix counts as completion once
    }

    [Fact]
    public async Task Continuations_that_do_not_fit_are_refused_with_400()
    {
        var chat = new JsonObject
        {
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
            ["continue_final_message"] = true,
        };
        Assert.Equal("add_generation_prompt", (await PostAsync("/v1/chat/completions", chat, HttpStatusCode.BadRequest))["error"]!["param"]!.GetValue<string>());
        chat["add_generation_prompt"] = false;
        Assert.Contains("assistant", (await PostAsync("/v1/chat/completions", chat, HttpStatusCode.BadRequest))["error"]!["message"]!.GetValue<string>());

        var wrongText = new JsonObject
        {
            ["prompt"] = "Spot instances are nice",
            ["skyserve_resume"] = new JsonObject { ["token_ids"] = new JsonArray(300, 301), ["text"] = " nice" },
        };
        Assert.Equal("skyserve_resume", (await PostAsync("/v1/completions", wrongText, HttpStatusCode.BadRequest))["error"]!["param"]!.GetValue<string>());
        var outOfVocabulary = new JsonObject
        {
            ["prompt"] = "Spot",
            ["skyserve_resume"] = new JsonObject { ["token_ids"] = new JsonArray(1_000_000), ["text"] = "" },
        };
        Assert.Equal("skyserve_resume", (await PostAsync("/v1/completions", outOfVocabulary, HttpStatusCode.BadRequest))["error"]!["param"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_partial_assistant_message_is_continued_with_continue_final_message()
    {
        var chat = new JsonObject
        {
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "user", ["content"] = "Hi" },
                new JsonObject { ["role"] = "assistant", ["content"] = "Hello the" }),
            ["continue_final_message"] = true,
            ["add_generation_prompt"] = false,
            ["max_tokens"] = 5,
            ["temperature"] = 0,
            ["ignore_eos"] = true,
        };
        var answer = await PostAsync("/v1/chat/completions", chat);
        Assert.Equal(5, answer["usage"]!["completion_tokens"]!.GetValue<int>());
    }

    [Fact]
    public async Task Once_a_notice_is_in_new_generations_are_refused_with_503()
    {
        var state = app.Services.GetRequiredService<AgentState>();
        state.RecordInterruption(new InterruptionNotice(InterruptionAction.Terminate, DateTimeOffset.UtcNow.AddMinutes(2), DateTimeOffset.UtcNow, "aws"));
        var refused = await PostAsync("/v1/completions", new JsonObject { ["prompt"] = "Spot" }, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("replica_interrupted", refused["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public void A_generation_moves_only_when_it_cannot_finish_before_the_deadline()
    {
        var time = new ManualTimeProvider();
        var state = new AgentState(new AgentOptions { Port = 0 }, time);
        var generation = new GenerationRequest([1, 2, 3], new SamplingParameters(MaxTokens: 100), CancellationToken.None);
        var check = new DeadlineCheck(state, time, generation);
        Assert.Null(check.AfterEvent(Event(1)));
        Assert.Null(check.AfterEvent(Event(2))); // no notice: nothing to decide

        state.RecordInterruption(new InterruptionNotice(InterruptionAction.Terminate, time.GetUtcNow().AddHours(1), time.GetUtcNow(), "aws"));
        Assert.Null(check.AfterEvent(Event(3))); // 97 tokens at this pace finish long before an hour

        time.Advance(TimeSpan.FromHours(1) - DeadlineCheck.Margin / 2);
        Assert.Contains("too close", check.AfterEvent(Event(4)));
        Assert.Null(check.AfterEvent(new GenerationEvent("", FinishReason.Length, 3, 100, []))); // the end needs no move
    }

    private static GenerationEvent Event(int tokens) => new("x", null, 3, tokens, Enumerable.Range(0, tokens).ToArray());

    private sealed record Streamed(string Text, List<int> Ids);

    private async Task<Streamed> StreamWithIdsAsync(string path, JsonObject body, int cutAfter)
    {
        body["stream"] = true;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Headers.Add("X-SkyServe-Token-Ids", "1");
        using var response = await client.SendAsync(request);
        var text = new StringBuilder();
        var ids = new List<int>();
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal) || ids.Count >= cutAfter)
                continue;
            var chunk = JsonNode.Parse(line[6..])!;
            ids.AddRange(chunk["skyserve_token_ids"]!.AsArray().Select(i => i!.GetValue<int>()));
            text.Append(chunk["choices"]![0]!["text"]!.GetValue<string>());
        }
        return new Streamed(text.ToString(), ids);
    }
}
