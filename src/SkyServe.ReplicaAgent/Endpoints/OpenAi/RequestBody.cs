using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;

namespace SkyServe.ReplicaAgent.Endpoints.OpenAi;

/// <summary>
/// Reads a request body of at most a given size (413 beyond it, chunked or not) and parses it as strict JSON:
/// a duplicate key, a lone surrogate escape or invalid UTF-8 in a string is a 400 here, not an exception later.
/// </summary>
internal static class RequestBody
{
    private static readonly JsonDocumentOptions Strict = new() { AllowDuplicateProperties = false };

    public static async Task<JsonObject> ReadJsonObjectAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        var bytes = await ReadAsync(request, maxBytes, ct);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(bytes.Span, documentOptions: Strict);
            // JsonNode decodes strings and builds objects lazily; doing it all now makes bad input fail here, once.
            Materialize(root);
        }
        catch (JsonException e)
        {
            throw new OpenAiError(400, $"the request body is not valid JSON: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new OpenAiError(400, $"the request body is not valid JSON: {e.Message}");
        }
        return root as JsonObject ?? throw new OpenAiError(400, "the request body must be a JSON object");
    }

    private static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        // Kestrel then stops reading past the limit and closes the connection instead of draining what is left.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxBytes;
        if (request.ContentLength > maxBytes)
            throw TooLarge(maxBytes);
        var body = new MemoryStream(request.ContentLength is { } length ? (int)length : 0);
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
            {
                if (body.Length + read > maxBytes) // a chunked body has no Content-Length to check first
                    throw TooLarge(maxBytes);
                body.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException e)
        {
            throw e.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge(maxBytes) : new OpenAiError(400, $"the request body could not be read: {e.Message}");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return body.GetBuffer().AsMemory(0, (int)body.Length);
    }

    private static OpenAiError TooLarge(int maxBytes) =>
        new(413, $"the request body is larger than this server's limit of {maxBytes} bytes (--max-request-bytes)", code: "request_too_large");

    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, value) in obj)
                    Materialize(value);
                break;
            case JsonArray array:
                foreach (var item in array)
                    Materialize(item);
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                value.GetValue<string>();
                break;
        }
    }
}
