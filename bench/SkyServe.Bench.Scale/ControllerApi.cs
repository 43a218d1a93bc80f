using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace SkyServe.Bench.Scale;

/// <summary>One service as GET /api/v1/services lists it.</summary>
public sealed record ServiceSummary(string Name, string Status, int ReadyReplicas, int Replicas);

/// <summary>
/// The controller's REST API as the benchmark uses it. GET /api/v1/services is read as it is today (one JSON array of every
/// service, no paging) or, once the API pages it, in pages of <see cref="PageSize"/>: <c>?limit=N</c>, with the next page
/// found from an object answer's next link or cursor (<c>next</c>, <c>next_cursor</c>, <c>next_page_token</c>, ...), a
/// <c>Link: rel="next"</c> header, or else <c>offset=</c>.
/// </summary>
public sealed class ControllerApi(Uri baseUrl, string token, int pageSize) : IDisposable
{
    private readonly HttpClient http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = baseUrl,
        Timeout = TimeSpan.FromSeconds(300),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };

    public int PageSize => pageSize;

    /// <summary>Whether the last list came back in more than one page (null before the first list).</summary>
    public bool? Paged => PagePaths.Count == 0 ? null : PagePaths.Count > 1;

    /// <summary>The paths of the pages the last <see cref="ListAllAsync"/> read (one: the API does not page).</summary>
    public IReadOnlyList<string> PagePaths { get; private set; } = [];

    public Task<HttpResponseMessage> CreateAsync(string name, string yaml, CancellationToken ct) =>
        http.PostAsync($"/api/v1/services?name={name}", Yaml(yaml), ct);

    public Task<HttpResponseMessage> UpdateAsync(string name, string yaml, CancellationToken ct) =>
        http.PutAsync($"/api/v1/services/{name}", Yaml(yaml), ct);

    public Task<HttpResponseMessage> DeleteAsync(string name, CancellationToken ct) =>
        http.DeleteAsync($"/api/v1/services/{name}", ct);

    public async Task<string> LoadBalancerTokenAsync(CancellationToken ct)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync("/api/v1/tokens/load-balancer", ct));
        return document.RootElement.GetProperty("token").GetString() ?? throw new InvalidOperationException("no token in /api/v1/tokens/load-balancer");
    }

    /// <summary>Every service, page after page when the API pages.</summary>
    public async Task<List<ServiceSummary>> ListAllAsync(CancellationToken ct)
    {
        var all = new List<ServiceSummary>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var paths = new List<string>();
        string? next = FirstPage;
        while (next is not null)
        {
            var (items, following) = await PageAsync(next, all.Count, ct);
            var fresh = items.Where(i => seen.Add(i.Name)).ToList();
            if (paths.Count > 0 && fresh.Count == 0)
                break; // a guessed next page (offset=) that an API without paging answered with the same services again
            all.AddRange(fresh);
            paths.Add(next);
            next = following;
        }
        PagePaths = paths;
        return all;
    }

    /// <summary>The first page's path.</summary>
    public string FirstPage => $"/api/v1/services?limit={pageSize}";

    /// <summary>
    /// One GET of a list page: its services and the path of the page after it (null at the end, and always null when the
    /// API answers every service at once).
    /// </summary>
    public async Task<(List<ServiceSummary> Items, string? Next)> PageAsync(string path, int offset, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {Shorten(body)}");
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        JsonElement array;
        string? next = null;
        if (root.ValueKind == JsonValueKind.Array)
        {
            array = root;
        }
        else if (root.ValueKind == JsonValueKind.Object)
        {
            array = root.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Array)
                .Select(p => p.Value).FirstOrDefault();
            if (array.ValueKind != JsonValueKind.Array)
                throw new InvalidOperationException($"GET {path}: no array of services in {Shorten(body)}");
            next = NextFromBody(root);
        }
        else
        {
            throw new InvalidOperationException($"GET {path}: unexpected answer {Shorten(body)}");
        }
        var items = array.EnumerateArray().Select(Summary).ToList();
        next ??= NextFromLinkHeader(response);
        // No next link, but a full page: try the next offset (an API that pages by offset; ListAllAsync stops when a
        // guessed page repeats what it has).
        if (next is null && items.Count == pageSize && (root.ValueKind == JsonValueKind.Array || !HasAnyNextKey(root)))
            next = $"/api/v1/services?limit={pageSize}&offset={offset + items.Count}";
        return (items, next);
    }

    private static readonly (string Key, string? Query)[] NextKeys =
    [
        ("next", null), ("next_url", null), ("next_link", null), ("next_page", null),
        ("next_cursor", "cursor"), ("cursor", "cursor"), ("next_page_token", "page_token"), ("continuation_token", "continuation_token"),
        ("next_after", "after"), ("next_offset", "offset"),
    ];

    private static bool HasAnyNextKey(JsonElement root) => NextKeys.Any(k => root.TryGetProperty(k.Key, out _));

    private string? NextFromBody(JsonElement root)
    {
        foreach (var (key, query) in NextKeys)
        {
            if (!root.TryGetProperty(key, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
                continue;
            var text = value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText();
            if (string.IsNullOrEmpty(text))
                return null;
            if (text.StartsWith('/') || text.StartsWith("http", StringComparison.Ordinal))
                return text;
            var name = query ?? "cursor";
            return $"/api/v1/services?limit={pageSize}&{name}={Uri.EscapeDataString(text)}";
        }
        return null;
    }

    private static string? NextFromLinkHeader(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links))
            return null;
        foreach (var part in links.SelectMany(l => l.Split(',')))
        {
            var pieces = part.Split(';');
            if (pieces.Length > 1 && pieces.Skip(1).Any(p => p.Replace(" ", "", StringComparison.Ordinal).Equals("rel=\"next\"", StringComparison.OrdinalIgnoreCase)))
                return pieces[0].Trim().TrimStart('<').TrimEnd('>');
        }
        return null;
    }

    private static ServiceSummary Summary(JsonElement e) => new(
        e.GetProperty("name").GetString()!,
        e.TryGetProperty("status", out var s) ? s.GetString() ?? "" : "",
        e.TryGetProperty("ready_replicas", out var r) ? r.GetInt32() : 0,
        e.TryGetProperty("replicas", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt32() : 0);

    private static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/yaml");

    public static string Shorten(string text) => text.Length > 400 ? text[..400] + "…" : text;

    public static async Task EnsureAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Accepted)
            return;
        throw new InvalidOperationException($"{what} answered {(int)response.StatusCode}: {Shorten(await response.Content.ReadAsStringAsync(ct))}");
    }

    public void Dispose() => http.Dispose();
}
