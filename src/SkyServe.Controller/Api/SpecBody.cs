using System.Text;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using SkyServe.Controller.Services;
using SkyServe.Core.Spec;

namespace SkyServe.Controller.Api;

/// <summary>Reads a spec (YAML or JSON: JSON is YAML) from a request body, bounded in size.</summary>
internal static class SpecBody
{
    public const int MaxBytes = 1 << 20;

    /// <summary>
    /// A spec with what was given beside it: <c>{"spec": "yaml text", "envs": {..}, "secrets": {..},
    /// "resources": {"infra": .., "cloud": .., "region": .., "zone": .., "accelerators": "L4:1", "use_spot": true},
    /// "uploads": {"workdir": "sha256:..", "file_mounts": {"/target": "sha256:.."}}}</c> (<see cref="SpecSubmission"/>).
    /// </summary>
    public const string SubmissionMediaType = "application/vnd.skyserve.submission+json";

    /// <summary>
    /// The content types a spec may be sent as: YAML's (RFC 9512's <c>application/yaml</c> and the older names) and
    /// JSON. Anything else, or none, is refused with 415 rather than guessed at as YAML.
    /// </summary>
    public static readonly string[] MediaTypes = ["application/yaml", "text/yaml", "application/x-yaml", "application/json", SubmissionMediaType];

    /// <summary>A bare spec, or a <see cref="SubmissionMediaType"/> body with its inputs and uploads.</summary>
    public static async Task<SpecSubmission> ReadSubmissionAsync(HttpRequest request, CancellationToken ct)
    {
        var text = await ReadAsync(request, ct);
        return IsSubmission(request.ContentType) ? ParseSubmission(text) : SpecSubmission.Of(text);
    }

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
        return $"send the spec as YAML ({string.Join(", ", MediaTypes[..3])}) or JSON ({MediaTypes[3]}), or a submission ({SubmissionMediaType}); got {got}";
    }

    private static bool IsSubmission(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType.Equals(SubmissionMediaType, StringComparison.OrdinalIgnoreCase);

    private static SpecSubmission ParseSubmission(string text)
    {
        SubmissionBody? body;
        try
        {
            body = JsonSerializer.Deserialize<SubmissionBody>(text, SubmissionJson);
        }
        catch (JsonException exception)
        {
            throw new InvalidRequestException($"the submission is not valid: {exception.Message}");
        }
        if (body?.Spec is not { } spec || string.IsNullOrWhiteSpace(spec))
            throw new InvalidRequestException("the submission has no 'spec': send the service spec's text in it");
        var uploads = body.Uploads is { } given
            ? new SpecUploads { Workdir = given.Workdir, FileMounts = given.FileMounts ?? [], Tls = given.Tls }
            : SpecUploads.None;
        if (uploads.Tls is { Certfile: null } or { Keyfile: null })
            throw new InvalidRequestException("uploads.tls needs both 'certfile' and 'keyfile'");
        foreach (var digest in uploads.Digests)
            BlobDigest.Require(digest);
        return new SpecSubmission(spec)
        {
            Inputs = new SpecInputs
            {
                Envs = body.Envs ?? [],
                Secrets = body.Secrets ?? [],
                Resources = body.Resources?.ToOverrides() ?? ResourceOverrides.None,
            },
            Uploads = uploads,
        };
    }

    private static readonly JsonSerializerOptions SubmissionJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    private sealed record SubmissionBody(
        string? Spec, Dictionary<string, string>? Envs, Dictionary<string, string>? Secrets, ResourceOverridesBody? Resources, UploadsBody? Uploads);

    private sealed record UploadsBody(string? Workdir, Dictionary<string, string>? FileMounts, TlsUpload? Tls);

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
