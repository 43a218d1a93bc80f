using System.Text;
using Microsoft.Net.Http.Headers;
using SkyServe.Controller.Services;

namespace SkyServe.Controller.Api;

/// <summary>Reads a spec (YAML or JSON: JSON is YAML) from a request body, bounded in size.</summary>
internal static class SpecBody
{
    public const int MaxBytes = 1 << 20;

    /// <summary>
    /// The content types a spec may be sent as: YAML's (RFC 9512's <c>application/yaml</c> and the older names) and
    /// JSON. Anything else, or none, is refused with 415 rather than guessed at as YAML.
    /// </summary>
    public static readonly string[] MediaTypes = ["application/yaml", "text/yaml", "application/x-yaml", "application/json"];

    public static async Task<string> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        CheckContentType(request.ContentType);
        if (request.ContentLength > MaxBytes)
            throw new BadHttpRequestException($"a spec may be at most {MaxBytes} bytes", StatusCodes.Status413PayloadTooLarge);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
                throw new BadHttpRequestException($"a spec may be at most {MaxBytes} bytes", StatusCodes.Status413PayloadTooLarge);
            buffer.Write(chunk, 0, read);
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidRequestException("the spec is not valid UTF-8 text");
        }
        if (string.IsNullOrWhiteSpace(text))
            throw new InvalidRequestException("the request body is empty: send the service spec as YAML or JSON");
        return text;
    }

    public static string UnsupportedMediaTypeMessage(string? contentType)
    {
        var got = string.IsNullOrWhiteSpace(contentType) ? "no Content-Type" : $"Content-Type '{contentType}'";
        return $"send the spec as YAML ({string.Join(", ", MediaTypes[..^1])}) or JSON ({MediaTypes[^1]}); got {got}";
    }

    /// <summary>
    /// Routing already refuses a Content-Type outside <see cref="MediaTypes"/> (the endpoints' Accepts list), but lets
    /// a request without one through and matches <c>application/problem+json</c> as JSON by its suffix: refused here.
    /// </summary>
    private static void CheckContentType(string? contentType)
    {
        if (MediaTypeHeaderValue.TryParse(contentType, out var parsed)
            && MediaTypes.Contains(parsed.MediaType.Value, StringComparer.OrdinalIgnoreCase))
            return;
        throw new BadHttpRequestException(UnsupportedMediaTypeMessage(contentType), StatusCodes.Status415UnsupportedMediaType);
    }
}
