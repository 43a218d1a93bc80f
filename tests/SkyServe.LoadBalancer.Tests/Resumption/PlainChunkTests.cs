using System.Text;
using System.Text.Json.Nodes;
using SkyServe.LoadBalancer.Resumption;

namespace SkyServe.LoadBalancer.Tests.Resumption;

/// <summary>Which chunks of a resumed stream go out byte for byte, and what they add: the rest take the JSON tree's way.</summary>
public sealed class PlainChunkTests
{
    private const string Identity = "\"id\":\"chatcmpl-7\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,\"model\":\"Qwen/Qwen2.5-7B\"";

    private static string Chat(string delta, string finish = "null", string extra = "") =>
        $"{{{Identity},\"choices\":[{{\"index\":0,\"delta\":{delta},\"logprobs\":null,\"finish_reason\":{finish}}}]{extra}}}";

    private static GenerationProgress Started(string first)
    {
        var progress = new GenerationProgress();
        progress.Stamp((JsonObject)JsonNode.Parse(first)!);
        return progress;
    }

    private static bool Read(string chunk, GenerationProgress progress, out string text, out string? finish, CompletionKind kind = CompletionKind.Chat) =>
        PlainChunk.TryRead(Encoding.UTF8.GetBytes(chunk), kind, progress, out text, out finish);

    [Theory]
    [InlineData("{\"content\":\" world\"}", "null", " world", null)]
    [InlineData("{\"content\":\"a\\nb \\u00e9\"}", "null", "a\nb é", null)]
    [InlineData("{\"content\":\"\"}", "\"stop\"", "", "stop")]
    [InlineData("{}", "\"length\"", "", "length")]
    [InlineData("{\"content\":null}", "null", "", null)]
    public void A_later_chunk_of_the_same_replica_with_plain_text_goes_out_as_it_came(string delta, string finish, string text, string? reason)
    {
        var progress = Started(Chat("{\"role\":\"assistant\",\"content\":\"\"}"));
        Assert.True(Read(Chat(delta, finish, ",\"system_fingerprint\":\"fp\""), progress, out var got, out var gotFinish));
        Assert.Equal(text, got);
        Assert.Equal(reason, gotFinish);
    }

    [Fact]
    public void A_text_completion_chunk_gives_its_text()
    {
        var first = $"{{{Identity},\"choices\":[{{\"index\":0,\"text\":\"Hel\",\"finish_reason\":null}}]}}";
        Assert.True(Read($"{{{Identity},\"choices\":[{{\"index\":0,\"text\":\"lo\",\"finish_reason\":null}}]}}", Started(first), out var text, out _,
            CompletionKind.Text));
        Assert.Equal("lo", text);
    }

    [Theory]
    [InlineData("{\"role\":\"assistant\",\"content\":\"x\"}", "null", "")] // a continuation's opening role is dropped by the tree's way
    [InlineData("{\"tool_calls\":[{\"index\":0}]}", "null", "")]
    [InlineData("{\"content\":\"x\"}", "\"abort\"", "")]
    [InlineData("{\"content\":\"x\"}", "null", ",\"skyserve_token_ids\":[5]")]
    [InlineData("{\"content\":\"x\"}", "null", ",\"skyserve_migrate\":true")]
    [InlineData("{\"content\":\"x\"}", "null", ",\"usage\":{\"prompt_tokens\":1}")]
    [InlineData("{\"content\":\"x\"}", "null", ",\"usage\":null")]
    [InlineData("{\"content\":7}", "null", "")]
    public void A_chunk_the_load_balancer_must_change_or_act_on_takes_the_tree(string delta, string finish, string extra)
    {
        var progress = Started(Chat("{\"role\":\"assistant\",\"content\":\"\"}"));
        Assert.False(Read(Chat(delta, finish, extra), progress, out _, out _));
    }

    [Fact]
    public void The_first_chunk_another_replicas_identity_two_choices_an_error_or_broken_json_take_the_tree()
    {
        var plain = Chat("{\"content\":\"x\"}");
        Assert.False(Read(plain, new GenerationProgress(), out _, out _)); // the first: its identity is taken, its role checked
        var progress = Started(Chat("{\"role\":\"assistant\",\"content\":\"\"}"));
        Assert.True(Read(plain, progress, out _, out _));
        Assert.False(Read(plain.Replace("chatcmpl-7", "chatcmpl-8"), progress, out _, out _));
        Assert.False(Read(plain.Replace("1767225600", "1767225601"), progress, out _, out _));
        Assert.False(Read(plain.Replace(",\"created\":1767225600", ""), progress, out _, out _));
        Assert.False(Read(plain.Replace("]}", ",{\"index\":1,\"delta\":{}}]}"), progress, out _, out _));
        Assert.False(Read("{\"error\":{\"message\":\"boom\"}}", progress, out _, out _));
        Assert.False(Read(plain[..^3], progress, out _, out _));
        Assert.False(Read(plain + "{}", progress, out _, out _));
        Assert.False(Read("[1]", progress, out _, out _));
    }
}
