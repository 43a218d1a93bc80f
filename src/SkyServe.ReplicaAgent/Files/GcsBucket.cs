using System.Net.Http.Headers;
using System.Text.Json;

namespace SkyServe.ReplicaAgent.Files;

/// <summary>
/// <c>gs://</c> through the Cloud Storage JSON API (objects.list, objects.get with <c>alt=media</c>), called directly:
/// the client library would bring a dozen packages to the agent for two GETs. The token is the machine's service
/// account's, from the metadata server (GCE_METADATA_HOST overrides its address); STORAGE_EMULATOR_HOST points at an
/// emulator, which takes no token, as Google's own libraries do.
/// </summary>
public sealed class GcsBucket(HttpClient http, Func<string, string?> environment) : IBucket
{
    private string? token;

    public string Store => "gs";

    private Uri Base => new((environment("STORAGE_EMULATOR_HOST") is { Length: > 0 } emulator
        ? (emulator.Contains("://", StringComparison.Ordinal) ? emulator : "http://" + emulator)
        : "https://storage.googleapis.com").TrimEnd('/') + "/");

    public async IAsyncEnumerable<string> ListAsync(string bucket, string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? pageToken = null;
        do
        {
            var query = $"prefix={Uri.EscapeDataString(prefix)}&fields=items(name),nextPageToken" + (pageToken is null ? "" : $"&pageToken={Uri.EscapeDataString(pageToken)}");
            using var response = await SendAsync(new Uri(Base, $"storage/v1/b/{Uri.EscapeDataString(bucket)}/o?{query}"), $"listing gs://{bucket}/{prefix}", ct);
            using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            if (page.RootElement.TryGetProperty("items", out var items))
                foreach (var item in items.EnumerateArray())
                    yield return item.GetProperty("name").GetString()!;
            pageToken = page.RootElement.TryGetProperty("nextPageToken", out var next) ? next.GetString() : null;
        }
        while (pageToken is not null);
    }

    public async Task DownloadAsync(string bucket, string key, string destination, CancellationToken ct)
    {
        using var response = await SendAsync(new Uri(Base, $"storage/v1/b/{Uri.EscapeDataString(bucket)}/o/{Uri.EscapeDataString(key)}?alt=media"),
            $"fetching gs://{bucket}/{key}", ct);
        await using var output = File.Create(destination);
        await response.Content.CopyToAsync(output, ct);
    }

    private async Task<HttpResponseMessage> SendAsync(Uri url, string what, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (environment("STORAGE_EMULATOR_HOST") is not { Length: > 0 })
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ??= await MetadataTokenAsync(ct));
        var response = await RemoteHttp.SendAsync(http, request, what, ct);
        return response;
    }

    private async Task<string> MetadataTokenAsync(CancellationToken ct)
    {
        var host = environment("GCE_METADATA_HOST") ?? "metadata.google.internal";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{host}/computeMetadata/v1/instance/service-accounts/default/token");
        request.Headers.Add("Metadata-Flavor", "Google");
        using var response = await RemoteHttp.SendAsync(http, request, "getting the machine's service-account token from the GCP metadata server", ct);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return body.RootElement.GetProperty("access_token").GetString()!;
    }
}
