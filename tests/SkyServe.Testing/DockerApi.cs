using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace SkyServe.Testing;

/// <summary>
/// The few Docker Engine API calls the tests make themselves (no Docker SDK here: the provider's seam keeps that to
/// itself), over the daemon's unix socket: ping, image import, container list and forced removal.
/// </summary>
public sealed class DockerApi(string socketPath) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri("http://docker/"),
        Timeout = TimeSpan.FromMinutes(2),
    };

    public async Task<bool> PingAsync(CancellationToken ct)
    {
        try
        {
            using var response = await http.GetAsync("_ping", ct);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    /// <summary><c>docker import</c>: a root filesystem tarball becomes image <paramref name="reference"/> (repo:tag), with Dockerfile-style changes such as an ENTRYPOINT.</summary>
    public async Task ImportAsync(Stream rootfsTar, string reference, IEnumerable<string> changes)
    {
        var (repo, tag) = (reference[..reference.LastIndexOf(':')], reference[(reference.LastIndexOf(':') + 1)..]);
        var query = $"images/create?fromSrc=-&repo={Uri.EscapeDataString(repo)}&tag={Uri.EscapeDataString(tag)}"
            + string.Concat(changes.Select(c => "&changes=" + Uri.EscapeDataString(c)));
        using var content = new StreamContent(rootfsTar);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
        using var response = await http.PostAsync(query, content);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || body.Contains("\"error\"", StringComparison.Ordinal))
            throw new InvalidOperationException($"docker import of {reference} failed ({(int)response.StatusCode}): {body}");
    }

    /// <summary>Every container (running or not), optionally only those with a label (<c>key</c> or <c>key=value</c>): id and labels.</summary>
    public async Task<IReadOnlyList<(string Id, string Name, IReadOnlyDictionary<string, string> Labels)>> ContainersAsync(string? label = null)
    {
        var filters = label is null ? "" : "&filters=" + Uri.EscapeDataString(JsonSerializer.Serialize(new Dictionary<string, string[]> { ["label"] = [label] }));
        var listed = await http.GetFromJsonAsync<JsonElement>($"containers/json?all=1{filters}");
        return listed.EnumerateArray().Select(c => (
            c.GetProperty("Id").GetString()!,
            c.GetProperty("Names")[0].GetString()!.TrimStart('/'),
            (IReadOnlyDictionary<string, string>)(c.TryGetProperty("Labels", out var labels) && labels.ValueKind == JsonValueKind.Object
                ? labels.EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString() ?? "")
                : new Dictionary<string, string>()))).ToList();
    }

    /// <summary>Kills and removes a container; one that is gone already is fine.</summary>
    public async Task RemoveAsync(string id)
    {
        using var response = await http.DeleteAsync($"containers/{id}?force=1");
        if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.NotFound)
            throw new InvalidOperationException($"removing container {id} failed: {await response.Content.ReadAsStringAsync()}");
    }

    public void Dispose() => http.Dispose();
}
