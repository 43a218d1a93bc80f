using System.Text.Json;
using SkyServe.Contracts.Resumption;

namespace SkyServe.LoadBalancer.Resumption;

/// <summary>
/// The fast path of a resumed stream: a chunk the client can get byte for byte as the replica sent it, read in one pass
/// of <see cref="Utf8JsonReader"/> instead of a JSON tree. That is a chunk after the first, from the replica whose identity
/// the client already has (same <c>id</c>, <c>created</c>, <c>model</c>), with one choice, plain text (no tool call, no
/// role to add or drop) and nothing the load balancer must take out or act on (token ids, usage, an error, a migrate
/// request, an aborted generation). vLLM, SGLang and TGI send such chunks for every token after the first; anything
/// else goes the tree's way (<see cref="ClientAnswer.PassOn"/>), which handles every case.
/// </summary>
internal static class PlainChunk
{
    /// <summary>Whether <paramref name="json"/> may go out as it is; if so, the text it adds and its finish reason.</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, CompletionKind kind, GenerationProgress progress, out string text, out string? finish)
    {
        text = "";
        finish = null;
        if (!progress.Started || progress.ToolCalls || progress.Identity is not { } identity)
            return false;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return false;
            var matched = 0;
            var sawChoice = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("choices"u8))
                {
                    if (!ReadOnlyChoice(ref reader, kind, ref text, ref finish))
                        return false;
                    sawChoice = true;
                }
                else if (IdentityField(ref reader) is { } field)
                {
                    if (!reader.Read() || !json.Slice((int)reader.TokenStartIndex, RawLength(ref reader)).SequenceEqual(identity[field].Span))
                        return false; // a continuation's own identity: the tree's way restamps it
                    matched |= 1 << field;
                }
                else if (reader.ValueTextEquals(ResumeProtocol.TokenIdsField) || reader.ValueTextEquals(ResumeProtocol.MigrateField)
                         || reader.ValueTextEquals("error"u8) || reader.ValueTextEquals("usage"u8))
                    return false;
                else if (!reader.Read() || !reader.TrySkip())
                    return false;
            }
            return sawChoice && reader.TokenType == JsonTokenType.EndObject && matched == (1 << identity.Length) - 1 && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The index into <see cref="GenerationProgress.Identity"/> of an identity property, or null.</summary>
    private static int? IdentityField(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("id"u8) ? 0 : reader.ValueTextEquals("created"u8) ? 1 : reader.ValueTextEquals("model"u8) ? 2 : null;

    /// <summary>The raw length of the current scalar token, quotes included.</summary>
    private static int RawLength(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? reader.ValueSpan.Length + 2 : reader.ValueSpan.Length;

    /// <summary>Reads <c>choices</c>: exactly one object, with plain text and a finish reason other than <c>abort</c>.</summary>
    private static bool ReadOnlyChoice(ref Utf8JsonReader reader, CompletionKind kind, ref string text, ref string? finish)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                    finish = reader.GetString();
                else if (reader.TokenType != JsonTokenType.Null)
                    return false;
                if (finish == "abort")
                    return false;
            }
            else if (kind == CompletionKind.Chat && reader.ValueTextEquals("delta"u8))
            {
                if (!ReadDelta(ref reader, ref text))
                    return false;
            }
            else if (kind == CompletionKind.Text && reader.ValueTextEquals("text"u8))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.String)
                    return false;
                text = reader.GetString()!;
            }
            else if (!reader.Read() || !reader.TrySkip())
                return false;
        }
        // The choice's end, then the array's: a second choice (n > 1) is not one this path knows.
        return reader.TokenType == JsonTokenType.EndObject && reader.Read() && reader.TokenType == JsonTokenType.EndArray;
    }

    /// <summary>A chat delta with at most content: a role (opening a message) or tool calls need the tree's way.</summary>
    private static bool ReadDelta(ref Utf8JsonReader reader, ref string text)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            return false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                    text = reader.GetString()!;
                else if (reader.TokenType != JsonTokenType.Null)
                    return false;
            }
            else if (reader.ValueTextEquals("role"u8) || reader.ValueTextEquals("tool_calls"u8))
                return false;
            else if (!reader.Read() || !reader.TrySkip())
                return false;
        }
        return reader.TokenType == JsonTokenType.EndObject;
    }
}
