namespace SkyServe.ReplicaAgent.Files;

/// <summary>One GET to a remote source, its failure (no answer, or an error status) as a <see cref="TaskFilesException"/> saying what was tried.</summary>
public static class RemoteHttp
{
    /// <returns>The successful response, its body not read yet; the caller disposes it.</returns>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, string what, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            throw new TaskFilesException($"{what} failed: {e.Message}", e);
        }
        if (response.IsSuccessStatusCode)
            return response;
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new TaskFilesException($"{what} failed: {(int)response.StatusCode} {response.ReasonPhrase}" +
                (string.IsNullOrWhiteSpace(body) ? "" : $": {(body.Length > 300 ? body[..300] : body).Trim()}"));
        }
    }

    /// <summary>An <c>https://</c> file mount: the file at the URL, written at the target.</summary>
    public static async Task DownloadFileAsync(HttpClient http, string url, string target, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        using var response = await SendAsync(http, request, $"fetching {url}", ct);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var partial = target + ".partial";
        await using (var output = File.Create(partial))
            await response.Content.CopyToAsync(output, ct);
        File.Move(partial, target, overwrite: true);
    }
}
