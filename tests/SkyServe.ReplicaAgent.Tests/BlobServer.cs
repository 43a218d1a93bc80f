using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SkyServe.ReplicaAgent.Tests;

/// <summary>
/// The controller's GET api/v1/agent/blobs/DIGEST on a loopback port, for one agent token, and any file under /files/
/// (an https:// file mount's server). A blob can be planted under a digest that is not its own, to see the agent refuse it.
/// </summary>
public sealed class BlobServer : IAsyncDisposable
{
    public const string Token = "ska_test_token";
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, byte[]> blobs = new();
    private readonly ConcurrentDictionary<string, byte[]> files = new();
    private volatile TaskCompletionSource held = Released();

    private BlobServer(WebApplication app) => this.app = app;

    public Uri Url { get; private set; } = new("http://invalid");

    public static async Task<BlobServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new BlobServer(app);
        app.MapGet("/api/v1/agent/blobs/{digest}", async (string digest, HttpRequest request) =>
        {
            await server.held.Task.WaitAsync(request.HttpContext.RequestAborted);
            return request.Headers.Authorization != $"Bearer {Token}"
                ? Results.Problem(statusCode: 401, title: "Unauthorized", detail: "send the replica's agent token")
                : server.blobs.TryGetValue(digest, out var bytes)
                    ? Results.Bytes(bytes, "application/gzip")
                    : Results.Problem(statusCode: 404, title: "No such upload", detail: $"{digest} is not stored on the controller");
        });
        app.MapGet("/files/{**name}", (string name) =>
            server.files.TryGetValue(name, out var bytes) ? Results.Bytes(bytes) : Results.NotFound());
        await app.StartAsync();
        server.Url = new Uri(app.Urls.First());
        return server;
    }

    /// <returns>The archive's digest.</returns>
    public string Add(byte[] archive)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(archive));
        blobs[digest] = archive;
        return digest;
    }

    /// <summary>Blob requests wait until <see cref="Release"/>: what the agent shows while it fetches can be seen.</summary>
    public void Hold() => held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => held.TrySetResult();

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        released.SetResult();
        return released;
    }

    public void AddUnder(string digest, byte[] archive) => blobs[digest] = archive;

    public string AddFile(string name, string text)
    {
        files[name] = System.Text.Encoding.UTF8.GetBytes(text);
        return new Uri(Url, "files/" + name).ToString();
    }

    /// <returns>The file's URL under /files/.</returns>
    public string AddFileBytes(string name, byte[] bytes)
    {
        files[name] = bytes;
        return new Uri(Url, "files/" + name).ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
