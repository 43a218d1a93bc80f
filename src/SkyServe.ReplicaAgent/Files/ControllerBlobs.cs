using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using SkyServe.Contracts.Notices;
using SkyServe.ReplicaAgent.Interruption;

namespace SkyServe.ReplicaAgent.Files;

/// <summary>
/// Fetches an archive uploaded with the replica's service version from the controller
/// (GET {controller}/<see cref="AgentApi.Blobs"/>/DIGEST with the agent's own token) into a file, and checks that its
/// bytes hash to the digest asked for: what was uploaded is what is unpacked, whoever stood in between.
/// </summary>
public sealed class ControllerBlobs(Uri? controller, string? token, HttpClient http)
{
    /// <exception cref="TaskFilesException">No controller, an error answer, or bytes that do not match the digest.</exception>
    public async Task FetchAsync(string digest, string destination, string what, CancellationToken ct)
    {
        if (controller is null)
            throw new TaskFilesException($"{what}: its archive {digest} is on the controller, and this agent has no --controller-url to fetch it from");
        var url = MetadataUrls.Append(controller, $"{AgentApi.Blobs}/{digest}");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            throw new TaskFilesException($"{what}: fetching {digest} from the controller at {controller} failed: {e.Message}", e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw new TaskFilesException($"{what}: the controller answered {(int)response.StatusCode} {response.ReasonPhrase} for {digest}" +
                    $"{ProblemDetail(await response.Content.ReadAsStringAsync(ct))}");
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var output = File.Create(destination))
            await using (var body = await response.Content.ReadAsStreamAsync(ct))
            {
                var buffer = new byte[64 * 1024];
                int read;
                while ((read = await body.ReadAsync(buffer, ct)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await output.WriteAsync(buffer.AsMemory(0, read), ct);
                }
            }
            var actual = "sha256:" + Convert.ToHexStringLower(hash.GetHashAndReset());
            if (actual != digest)
                throw new TaskFilesException($"{what}: the archive fetched for {digest} hashes to {actual}: refused");
        }
    }

    private static string ProblemDetail(string body)
    {
        try
        {
            return JsonDocument.Parse(body).RootElement.TryGetProperty("detail", out var detail) && detail.GetString() is { } text ? $": {text}" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
