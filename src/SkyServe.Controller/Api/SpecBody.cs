using System.Text;
using SkyServe.Controller.Services;

namespace SkyServe.Controller.Api;

/// <summary>Reads a spec (YAML or JSON: JSON is YAML) from a request body, bounded in size.</summary>
internal static class SpecBody
{
    public const int MaxBytes = 1 << 20;

    public static async Task<string> ReadAsync(HttpRequest request, CancellationToken ct)
    {
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
}
