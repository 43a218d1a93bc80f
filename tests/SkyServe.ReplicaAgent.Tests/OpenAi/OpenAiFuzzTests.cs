using System.Net.Http.Headers;
using System.Text;
using Xunit.Abstractions;

namespace SkyServe.ReplicaAgent.Tests.OpenAi;

/// <summary>
/// Issue 12: a seeded fuzzer sends a few hundred malformed or mutated bodies to the real agent's completions and
/// chat endpoints; every answer is below 500, and every 4xx is a well-formed OpenAI error.
/// </summary>
public sealed class OpenAiFuzzTests(TinyLlamaAgent fixture, ITestOutputHelper output) : IClassFixture<TinyLlamaAgent>
{
    private const int Seed = 20_251_212;
    private const int CasesPerEndpoint = 160;

    private static readonly (string Key, string Raw)[] CompletionFields =
    [
        ("model", "\"tiny-llama\""), ("prompt", "\"Once upon a time\""), ("max_tokens", "4"), ("temperature", "0"), ("top_p", "1"),
        ("seed", "1"), ("stop", "[\"\\n\"]"), ("stream", "false"), ("stream_options", "{\"include_usage\":true}"), ("ignore_eos", "true"), ("n", "1"),
    ];

    private static readonly (string Key, string Raw)[] ChatFields =
    [
        ("model", "\"tiny-llama\""),
        ("messages", "[{\"role\":\"system\",\"content\":\"Be brief.\"},{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]"),
        ("max_tokens", "4"), ("stream", "true"), ("stream_options", "{\"include_usage\":true}"), ("temperature", "0.7"), ("seed", "3"),
    ];

    private static readonly string[] FieldNames =
        ["model", "prompt", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "seed", "stop", "stream", "stream_options", "ignore_eos", "n"];

    private static readonly string[] OddValues =
    [
        "1", "-1", "0", "-0", "1.5", "1e400", "-1e400", "1e-400", "99999999999999999999", "2147483648", "-2147483649", "true", "false", "null",
        "\"\"", "\"x\"", "\"5\"", "\"\\ud800\"", "\"\\udfff\\ud800\"", "\"a\\u0000b\"", "[]", "{}", "[[[]]]", "[1,2]", "{\"a\":{}}", "[null]", "[{}]",
        "[\"a\",\"b\",\"c\",\"d\",\"e\"]", "{\"include_usage\":\"yes\"}", "{\"include_usage\":true,\"include_usage\":false}",
    ];

    private static readonly string[] MessageTemplates =
    [
        "[{\"role\":@,\"content\":\"hi\"}]", "[{\"role\":\"user\",\"content\":@}]", "[{\"role\":\"user\",\"content\":[@]}]",
        "[{\"role\":\"user\",\"content\":[{\"type\":@,\"text\":\"hi\"}]}]", "[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":@}]}]",
        "[@]", "[{\"role\":\"user\",\"content\":\"hi\"},@]", "[{\"role\":\"user\",\"role\":@,\"content\":\"hi\"}]",
    ];

    private static readonly byte[][] InvalidUtf8 = [[0xFF], [0xFE, 0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xE2, 0x82], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x80]];

    private static readonly string[] OddBodies = ["", "null", "[]", "\"s\"", "{", "}", "{}", "1", "{\"prompt\":}", "\uFEFF{\"prompt\":\"hi\"}", "{\"prompt\":\"hi\",}", "{'prompt':'hi'}"];

    [Fact]
    public async Task Mutated_bodies_never_get_a_5xx_and_every_4xx_is_an_OpenAI_error()
    {
        var rng = new Random(Seed);
        var failures = new List<string>();
        var statuses = new SortedDictionary<int, int>();
        for (var i = 0; i < 2 * CasesPerEndpoint; i++)
        {
            var chat = i % 2 == 1;
            var body = Generate(rng, chat);
            var path = chat ? "/v1/chat/completions" : "/v1/completions";
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var response = await fixture.Agent.Http.PostAsync(path, content, timeout.Token);
            var text = await response.Content.ReadAsStringAsync(timeout.Token);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var problem = status >= 500 ? "a 5xx" : status >= 400 ? OpenAiErrorShape.Problem(response, text) : null;
            if (problem is not null)
                failures.Add($"case {i} {path} -> {status} ({problem}): body base64 {Convert.ToBase64String(body[..Math.Min(body.Length, 400)])}; answer {text[..Math.Min(text.Length, 300)]}");
        }
        output.WriteLine("statuses: " + string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")));
        Assert.True(failures.Count == 0, $"{failures.Count} of {2 * CasesPerEndpoint} answers were wrong (seed {Seed}):\n{string.Join('\n', failures.Take(20))}");
        // The mutations are meant to hit both the refusals and requests that are still valid.
        Assert.True(statuses.GetValueOrDefault(400) > CasesPerEndpoint / 2, "too few 400s");
        Assert.True(statuses.GetValueOrDefault(200) > 10, "too few 200s");
        Assert.False(fixture.Agent.HasExited);
    }

    private static byte[] Generate(Random rng, bool chat)
    {
        var fields = new List<(string Key, string Raw)>(chat ? ChatFields : CompletionFields);
        for (var n = rng.Next(1, 4); n > 0; n--)
            MutateFields(rng, fields, chat);
        var bytes = Encoding.UTF8.GetBytes("{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Raw}")) + "}");
        return rng.Next(3) == 0 ? MutateBytes(rng, bytes) : bytes;
    }

    private static void MutateFields(Random rng, List<(string Key, string Raw)> fields, bool chat)
    {
        var at = rng.Next(fields.Count);
        switch (rng.Next(7))
        {
            case 0: // a wrong type or an odd value for a known field
                Set(fields, Pick(rng, FieldNames), Pick(rng, OddValues));
                break;
            case 1: // a duplicate key
                fields.Insert(rng.Next(fields.Count + 1), (fields[at].Key, rng.Next(2) == 0 ? fields[at].Raw : Pick(rng, OddValues)));
                break;
            case 2:
                fields.RemoveAt(at);
                break;
            case 3: // a malformed message
                Set(fields, "messages", Pick(rng, MessageTemplates).Replace("@", Pick(rng, OddValues)));
                break;
            case 4: // a lone surrogate escape inside the prompt or a message
                var surrogate = Pick(rng, new[] { "\\ud800", "\\udbff", "\\udc00", "\\ud800\\u0041", "\\udfff\\ud800" });
                Set(fields, chat ? "messages" : "prompt", chat ? $"[{{\"role\":\"user\",\"content\":\"a{surrogate}b\"}}]" : $"\"a{surrogate}b\"");
                break;
            case 5: // deep nesting
                var depth = Pick(rng, new[] { 10, 63, 64, 65, 200, 5000 });
                Set(fields, fields[at].Key, new string('[', depth) + new string(']', depth));
                break;
            default: // huge numbers
                Set(fields, Pick(rng, new[] { "max_tokens", "temperature", "top_p", "seed", "n", "max_completion_tokens" }),
                    Pick(rng, new[] { "1e308", "1e400", "-1e400", "123456789012345678901234567890", "2147483647", "-2147483648", "4.9e-324", "1" + new string('0', 400) }));
                break;
        }
    }

    private static byte[] MutateBytes(Random rng, byte[] bytes)
    {
        switch (rng.Next(5))
        {
            case 0: // random byte flips
                var flipped = (byte[])bytes.Clone();
                for (var n = rng.Next(1, 5); n > 0 && flipped.Length > 0; n--)
                    flipped[rng.Next(flipped.Length)] = (byte)rng.Next(256);
                return flipped;
            case 1: // truncation
                return bytes[..rng.Next(bytes.Length)];
            case 2: // invalid UTF-8 inside the first string value
                var quote = Array.IndexOf(bytes, (byte)':') + 2;
                var at = Math.Clamp(quote, 0, bytes.Length);
                return [.. bytes[..at], .. Pick(rng, InvalidUtf8), .. bytes[at..]];
            case 3:
                return Encoding.UTF8.GetBytes(Pick(rng, OddBodies));
            default: // random bytes
                var noise = new byte[rng.Next(64)];
                rng.NextBytes(noise);
                return noise;
        }
    }

    private static void Set(List<(string Key, string Raw)> fields, string key, string raw)
    {
        var index = fields.FindIndex(f => f.Key == key);
        if (index >= 0)
            fields[index] = (key, raw);
        else
            fields.Add((key, raw));
    }

    private static T Pick<T>(Random rng, T[] items) => items[rng.Next(items.Length)];
}
