using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using SkyServe.LoadBalancer.Resumption;

namespace SkyServe.LoadBalancer.Tests.Resumption;

/// <summary>Which completions are resumed, and the continuation each gets: the portable form any OpenAI server reads, plus the ids when known.</summary>
public sealed class ContinuationBodyTests
{
    private static CompletionRequest? Read(CompletionKind kind, string json, out string? whyNot) =>
        CompletionRequest.TryRead(kind, Encoding.UTF8.GetBytes(json), out whyNot);

    [Theory]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"n":2}""", "n > 1")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"logprobs":true}""", "logprobs")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"top_logprobs":2}""", "logprobs")]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_object"}}""", "guided decoding")]
    [InlineData("""{"messages":[]}""", "no messages")]
    [InlineData("""[1, 2]""", "the body is not a JSON object")]
    [InlineData("""{"messages": """, "the body is not a JSON object")]
    public void Chats_that_cannot_be_resumed_say_why(string body, string why)
    {
        Assert.Null(Read(CompletionKind.Chat, body, out var whyNot));
        Assert.Equal(why, whyNot);
    }

    [Theory]
    [InlineData("""{"prompt":["a","b"]}""", "the prompt is not one string")]
    [InlineData("""{"prompt":[1,2,3]}""", "the prompt is not one string")]
    [InlineData("""{"prompt":"a","echo":true}""", "echo or suffix")]
    [InlineData("""{"prompt":"a","best_of":3}""", "best_of > 1")]
    public void Completions_that_cannot_be_resumed_say_why(string body, string why)
    {
        Assert.Null(Read(CompletionKind.Text, body, out var whyNot));
        Assert.Equal(why, whyNot);
    }

    [Fact]
    public void Null_or_false_options_do_not_stop_resumption()
    {
        Assert.NotNull(Read(CompletionKind.Chat, """{"messages":[{"role":"user","content":"hi"}],"n":1,"logprobs":false,"top_logprobs":null,"response_format":{"type":"text"}}""", out _));
        Assert.NotNull(Read(CompletionKind.Text, """{"prompt":["one"],"echo":false,"best_of":1}""", out _));
    }

    [Theory]
    [InlineData("/v1/completions", CompletionKind.Text)]
    [InlineData("/V1/Chat/Completions/", CompletionKind.Chat)]
    [InlineData("/v1/models", null)]
    [InlineData("/v2/chat/completions", null)]
    public void Only_the_two_completion_paths_are_resumable(string path, CompletionKind? kind) =>
        Assert.Equal(kind, CompletionRequest.KindOf(new PathString(path)));

    [Fact]
    public void A_fresh_attempt_asks_for_a_stream_with_usage_and_changes_nothing_else()
    {
        var request = Read(CompletionKind.Chat, """{"messages":[{"role":"user","content":"hi"}],"max_tokens":9,"seed":5,"stop":["x"]}""", out _)!;
        var body = ContinuationBody.Build(request, new GenerationProgress())!;
        Assert.Equal("""{"messages":[{"role":"user","content":"hi"}],"max_tokens":9,"seed":5,"stop":["x"],"stream":true,"stream_options":{"include_usage":true}}""",
            body.ToJsonString());
    }

    [Fact]
    public void A_chat_continues_the_partial_assistant_message_with_fewer_tokens_a_moved_seed_and_the_ids()
    {
        var request = Read(CompletionKind.Chat, """{"messages":[{"role":"user","content":"hi"}],"max_tokens":9,"seed":5,"stop":["x"],"stream":true}""", out _)!;
        var progress = new GenerationProgress();
        progress.Add("Hel", new JsonArray(10, 11));
        progress.Add("lo", new JsonArray(12));
        var body = ContinuationBody.Build(request, progress)!;
        Assert.Equal(6, body["max_tokens"]!.GetValue<long>());
        Assert.Equal(8, body["seed"]!.GetValue<int>());
        Assert.Equal("""[{"role":"user","content":"hi"},{"role":"assistant","content":"Hello"}]""", body["messages"]!.ToJsonString());
        Assert.True(body["continue_final_message"]!.GetValue<bool>());
        Assert.False(body["add_generation_prompt"]!.GetValue<bool>());
        Assert.Equal("""{"token_ids":[10,11,12],"text":"Hello"}""", body["skyserve_resume"]!.ToJsonString());
        Assert.Equal("""["x"]""", body["stop"]!.ToJsonString());
    }

    [Fact]
    public void A_completion_from_an_engine_without_ids_continues_from_prompt_and_text_only()
    {
        var request = Read(CompletionKind.Text, """{"prompt":["Once"],"max_tokens":4}""", out _)!;
        var progress = new GenerationProgress();
        progress.Add(" upon", null);
        progress.Add(" a", null);
        var body = ContinuationBody.Build(request, progress)!;
        Assert.Equal("Once upon a", body["prompt"]!.GetValue<string>());
        Assert.Equal(2, body["max_tokens"]!.GetValue<long>());
        Assert.Null(body["skyserve_resume"]);

        progress.Add(" time", null);
        progress.Add(",", null);
        Assert.Null(ContinuationBody.Build(request, progress)); // max_tokens reached: nothing left to generate
    }
}
