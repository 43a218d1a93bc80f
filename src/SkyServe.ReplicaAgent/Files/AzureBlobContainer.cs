using System.Net.Http.Headers;
using System.Text.Json;
using System.Xml.Linq;

namespace SkyServe.ReplicaAgent.Files;

/// <summary>
/// Azure Blob Storage (<c>https://ACCOUNT.blob.core.windows.net/CONTAINER/PREFIX</c>) through its REST API (List Blobs,
/// Get Blob), called directly: two GETs do not need Azure.Storage.Blobs and Azure.Core in the agent. Credentials, in
/// order: a SAS in the source URL; AZURE_STORAGE_CONNECTION_STRING's BlobEndpoint (which replaces the account's, as
/// for an emulator) and SharedAccessSignature; else the machine's managed identity, its token from IMDS
/// (IDENTITY_ENDPOINT/IDENTITY_HEADER where the platform sets them). A shared account key is not supported.
/// </summary>
/// <param name="accountEndpoint">The source URL's account endpoint (<c>https://ACCOUNT.blob.core.windows.net/</c>).</param>
/// <param name="urlSas">The source URL's query, a SAS, or empty.</param>
public sealed class AzureBlobContainer(HttpClient http, Func<string, string?> environment, Uri accountEndpoint, string urlSas) : IBucket
{
    private const string ApiVersion = "2021-08-06";
    private string? token;

    public string Store => "azure";

    /// <summary>The URL's parts: account endpoint, container, prefix and any SAS query.</summary>
    public static (Uri Endpoint, string Container, string Prefix, string Sas) Parse(string source)
    {
        var url = new Uri(source);
        var path = url.AbsolutePath.TrimStart('/');
        var slash = path.IndexOf('/');
        var container = slash < 0 ? path : path[..slash];
        var prefix = slash < 0 ? "" : Uri.UnescapeDataString(path[(slash + 1)..]);
        if (container.Length == 0)
            throw new TaskFilesException($"{source} names no container: expected https://ACCOUNT.blob.core.windows.net/CONTAINER[/PATH]");
        return (new Uri(url.GetLeftPart(UriPartial.Authority) + "/"), container, prefix, url.Query.TrimStart('?'));
    }

    public async IAsyncEnumerable<string> ListAsync(string container, string prefix, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? marker = null;
        do
        {
            var query = $"restype=container&comp=list&prefix={Uri.EscapeDataString(prefix)}" + (marker is null ? "" : $"&marker={Uri.EscapeDataString(marker)}");
            using var response = await SendAsync(Url($"{Uri.EscapeDataString(container)}", query), $"listing azure container {container}/{prefix}", ct);
            var page = XDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            foreach (var name in page.Descendants("Blob").Select(b => b.Element("Name")?.Value))
                if (name is not null)
                    yield return name;
            marker = page.Root?.Element("NextMarker")?.Value is { Length: > 0 } next ? next : null;
        }
        while (marker is not null);
    }

    public async Task DownloadAsync(string container, string key, string destination, CancellationToken ct)
    {
        var path = $"{Uri.EscapeDataString(container)}/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}";
        using var response = await SendAsync(Url(path, ""), $"fetching azure blob {container}/{key}", ct);
        await using var output = File.Create(destination);
        await response.Content.CopyToAsync(output, ct);
    }

    private Uri Url(string path, string query)
    {
        var (endpoint, sas) = Account();
        var all = string.Join('&', new[] { query, sas }.Where(q => q.Length > 0));
        return new Uri(endpoint, path + (all.Length > 0 ? "?" + all : ""));
    }

    /// <summary>The endpoint and SAS to use: the connection string's where it gives them, else the URL's.</summary>
    private (Uri Endpoint, string Sas) Account()
    {
        var parts = (environment("AZURE_STORAGE_CONNECTION_STRING") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var endpoint = parts.TryGetValue("BlobEndpoint", out var blob) ? new Uri(blob.TrimEnd('/') + "/") : accountEndpoint;
        var sas = urlSas.Length > 0 ? urlSas : parts.GetValueOrDefault("SharedAccessSignature", "").TrimStart('?');
        return (endpoint, sas);
    }

    private async Task<HttpResponseMessage> SendAsync(Uri url, string what, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add("x-ms-version", ApiVersion);
        if (Account().Sas.Length == 0)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ??= await ManagedIdentityTokenAsync(ct));
        return await RemoteHttp.SendAsync(http, request, what, ct);
    }

    private async Task<string> ManagedIdentityTokenAsync(CancellationToken ct)
    {
        const string resource = "https://storage.azure.com/";
        HttpRequestMessage request;
        if (environment("IDENTITY_ENDPOINT") is { Length: > 0 } identity)
        {
            request = new HttpRequestMessage(HttpMethod.Get, $"{identity}?api-version=2019-08-01&resource={Uri.EscapeDataString(resource)}");
            request.Headers.Add("X-IDENTITY-HEADER", environment("IDENTITY_HEADER") ?? "");
        }
        else
        {
            request = new HttpRequestMessage(HttpMethod.Get,
                $"http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource={Uri.EscapeDataString(resource)}");
            request.Headers.Add("Metadata", "true");
        }
        using (request)
        {
            using var response = await RemoteHttp.SendAsync(http, request, "getting the machine's managed-identity token for Azure Storage", ct);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            return body.RootElement.GetProperty("access_token").GetString()!;
        }
    }
}
