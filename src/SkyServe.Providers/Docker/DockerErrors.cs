using System.Net;
using Docker.DotNet;

namespace SkyServe.Providers.Docker;

/// <summary>
/// Docker Engine API errors as <see cref="CloudErrorKind"/>s: a refused request (400, no such image, no GPU driver) is
/// invalid, a refused client (401, 403) unauthorized; anything else (5xx) is left as it is, a transient failure the
/// reconcile loop retries.
/// </summary>
public static class DockerErrors
{
    public static CloudProviderException? Map(DockerApiException error, string zone)
    {
        var message = Message(error);
        var kind = error.StatusCode switch
        {
            HttpStatusCode.BadRequest or HttpStatusCode.NotFound or HttpStatusCode.Conflict => CloudErrorKind.InvalidRequest,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => CloudErrorKind.Unauthorized,
            // dockerd answers 500 when no runtime can hand GPUs over (no NVIDIA container toolkit on the host).
            _ when message.Contains("could not select device driver", StringComparison.OrdinalIgnoreCase) => CloudErrorKind.InvalidRequest,
            _ => (CloudErrorKind?)null,
        };
        if (kind is not { } known)
            return null;
        var hint = message.Contains("No such image", StringComparison.OrdinalIgnoreCase)
            ? " (no registry is asked: build or `docker load` the image on that host)"
            : message.Contains("device driver", StringComparison.OrdinalIgnoreCase)
                ? " (GPUs need NVIDIA's container toolkit on the host)"
                : "";
        return new CloudProviderException(known, $"docker host {zone}: {message}{hint}", error)
        {
            CloudCode = ((int)error.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>The daemon's own words: its JSON body is <c>{"message": "..."}</c>.</summary>
    private static string Message(DockerApiException error)
    {
        var body = error.ResponseBody ?? "";
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(body);
            if (json.RootElement.TryGetProperty("message", out var text) && text.GetString() is { Length: > 0 } message)
                return message;
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return body.Trim() is { Length: > 0 } plain ? plain : error.Message;
    }
}
