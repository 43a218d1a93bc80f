using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SkyServe.ReplicaAgent.Tests.Engine.Checkpoints;

/// <summary>What the server does to one answer.</summary>
public enum Fault
{
    None,

    /// <summary>The right length, but one byte in the middle flipped.</summary>
    Corrupt,

    /// <summary>Content-Length says the full size; half the body comes, then the connection is aborted.</summary>
    Truncate,

    /// <summary>503 Service Unavailable.</summary>
    Unavailable,
}

/// <summary>
/// A real Kestrel server on a loopback port serving model folders as static files under /models/NAME/ (GET and HEAD),
/// counting the GETs of each file and injecting faults on chosen attempts.
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

    /// <summary>Slows each GET of files whose name ends with this, so two clients overlap.</summary>
    public (string Suffix, TimeSpan Delay)? Slow { get; set; }

    public static async Task<ModelFileServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new ModelFileServer(app);
        app.MapMethods("/models/{name}/{**file}", ["GET", "HEAD"], server.ServeAsync);
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

    private async Task ServeAsync(HttpContext context, string name, string file)
    {
        if (!folders.TryGetValue(name, out var directory) || file.Contains("..") || !File.Exists(Path.Combine(directory, file)))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        var bytes = await File.ReadAllBytesAsync(Path.Combine(directory, file));
        if (HttpMethods.IsHead(context.Request.Method))
        {
            context.Response.ContentLength = bytes.Length;
            return;
        }

        var attempt = gets.AddOrUpdate($"{name}/{file}", 1, (_, count) => count + 1);
        if (Slow is { } slow && file.EndsWith(slow.Suffix, StringComparison.Ordinal))
            await Task.Delay(slow.Delay);
        switch (Faults($"{name}/{file}", attempt))
        {
            case Fault.Unavailable:
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            case Fault.Corrupt:
                bytes[bytes.Length / 2] ^= 0x5A;
                break;
            case Fault.Truncate:
                context.Response.ContentLength = bytes.Length;
                await context.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                await context.Response.Body.FlushAsync();
                context.Abort();
                return;
        }
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
