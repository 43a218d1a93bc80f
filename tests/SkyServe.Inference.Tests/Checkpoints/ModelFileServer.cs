using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SkyServe.Inference.Tests.Checkpoints;

/// <summary>What the server does to one answer.</summary>
public enum Fault
{
    None,

    /// <summary>The right length, but one byte in the middle flipped.</summary>
    Corrupt,

    /// <summary>Content-Length says the full size; half the body comes, then (200 ms later) the connection is aborted.</summary>
    Truncate,

    /// <summary>503 Service Unavailable.</summary>
    Unavailable,
}

/// <summary>
/// A real Kestrel server on a loopback port serving model folders as static files under /models/NAME/ (GET and HEAD,
/// with ETags and single open-ended byte ranges honoured under If-Range), counting the GETs of each file and injecting
/// faults on chosen attempts. It can require a bearer token, and send weights from a "CDN" path by redirect, as the
/// Hugging Face Hub does.
/// </summary>
public sealed class ModelFileServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, string> folders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> gets = new(StringComparer.Ordinal);

    private ModelFileServer(WebApplication app) => this.app = app;

    public Uri BaseUrl { get; private set; } = new("http://invalid");

    /// <summary>(path under /models/, 1-based GET count of that path) → fault; none by default.</summary>
    public Func<string, int, Fault> Faults { get; set; } = (_, _) => Fault.None;

    /// <summary>When set, /models/ answers 401 without <c>Authorization: Bearer</c> this token.</summary>
    public string? RequiredToken { get; set; }

    /// <summary>GETs of *.safetensors are redirected (302) to /cdn/NAME/FILE, which needs no token.</summary>
    public bool RedirectWeights { get; set; }

    /// <summary>Every request: "METHOD path", its Range header (or "-") and its Authorization header (or "-").</summary>
    public ConcurrentQueue<(string Request, string Range, string Authorization)> Requests { get; } = new();

    /// <summary>Slows each GET of files whose name ends with this, so two clients overlap.</summary>
    public (string Suffix, TimeSpan Delay)? Slow { get; set; }

    public static async Task<ModelFileServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new ModelFileServer(app);
        app.MapMethods("/models/{name}/{**file}", ["GET", "HEAD"], (HttpContext context, string name, string file) => server.ServeAsync(context, name, file, cdn: false));
        app.MapMethods("/cdn/{name}/{**file}", ["GET", "HEAD"], (HttpContext context, string name, string file) => server.ServeAsync(context, name, file, cdn: true));
        await app.StartAsync();
        server.BaseUrl = new Uri(app.Urls.First() + "/");
        return server;
    }

    /// <summary>Serves <paramref name="directory"/> at the returned base URL (…/models/NAME/).</summary>
    public Uri Serve(string name, string directory)
    {
        folders[name] = directory;
        return new Uri(BaseUrl, $"models/{name}/");
    }

    /// <summary>GETs so far of models/NAME/FILE.</summary>
    public int Gets(string name, string file) => gets.GetValueOrDefault($"{name}/{file}");

    public int TotalGets => gets.Values.Sum();

    private async Task ServeAsync(HttpContext context, string name, string file, bool cdn)
    {
        var request = context.Request;
        Requests.Enqueue(($"{request.Method} {request.Path}", request.Headers.Range.ToString() is { Length: > 0 } r ? r : "-",
            request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : "-"));
        if (!cdn && RequiredToken is { } token && request.Headers.Authorization.ToString() != $"Bearer {token}")
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }
        if (!folders.TryGetValue(name, out var directory) || file.Contains("..") || !File.Exists(Path.Combine(directory, file)))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        if (!cdn && RedirectWeights && HttpMethods.IsGet(request.Method) && file.EndsWith(".safetensors", StringComparison.Ordinal))
        {
            context.Response.Redirect($"/cdn/{name}/{file}?signature=abc");
            return;
        }
        var bytes = await File.ReadAllBytesAsync(Path.Combine(directory, file));
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"";
        context.Response.Headers.ETag = etag;
        context.Response.Headers.AcceptRanges = "bytes";
        if (HttpMethods.IsHead(request.Method))
        {
            context.Response.ContentLength = bytes.Length;
            return;
        }

        var attempt = gets.AddOrUpdate($"{name}/{file}", 1, (_, count) => count + 1);
        if (Slow is { } slow && file.EndsWith(slow.Suffix, StringComparison.Ordinal))
            await Task.Delay(slow.Delay);
        var start = 0;
        var range = request.Headers.Range.ToString();
        var ifRange = request.Headers.IfRange.ToString();
        if (range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-') && int.TryParse(range[6..^1], out var from)
            && from < bytes.Length && (ifRange.Length == 0 || ifRange == etag))
        {
            start = from;
            context.Response.StatusCode = StatusCodes.Status206PartialContent;
            context.Response.Headers.ContentRange = $"bytes {from}-{bytes.Length - 1}/{bytes.Length}";
        }
        switch (Faults($"{name}/{file}", attempt))
        {
            case Fault.Unavailable:
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.ContentRange = default;
                return;
            case Fault.Corrupt:
                bytes[bytes.Length / 2] ^= 0x5A;
                break;
            case Fault.Truncate:
                context.Response.ContentLength = bytes.Length - start;
                await context.Response.Body.WriteAsync(bytes.AsMemory(start, (bytes.Length - start) / 2));
                await context.Response.Body.FlushAsync();
                await Task.Delay(200); // let the client read what was sent: a reset can discard bytes not yet read
                context.Abort();
                return;
        }
        context.Response.ContentLength = bytes.Length - start;
        await context.Response.Body.WriteAsync(bytes.AsMemory(start));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
